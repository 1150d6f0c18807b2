#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make vmcheck`: boots Debian releases in QEMU with the package installed
# by the guest under systemd, runs tests/vm/guest.sh there and prints the
# guests' TAP lines, "N passed, N failed" per release and a total.  A guest
# that does not finish in time is killed and counted as a failure.
#   tests/vm/run.sh DEB [RELEASE...]
# A RELEASE named NAME-s390x boots NAME's s390x build under
# qemu-system-s390x (TCG), with DEB's s390x twin (portwarden_V_s390x.deb).
# PW_VM_SCENARIOS: "all" (default) or a list of guest.sh scenario names.
# PW_VM_ACCEL: kvm or tcg to skip the probe.  PW_VM_TIMEOUT: seconds a boot may take.
# PW_VM_JOBS=2: boot the releases side by side (one core each under TCG).
set -uo pipefail

deb=$1
shift
releases=${*:-bookworm trixie}
scenarios=${PW_VM_SCENARIOS:-all}
boot_timeout=${PW_VM_TIMEOUT:-900}
work=build/vm/run
here=$(dirname "$0")

if [ "$(id -u)" -ne 0 ]; then
	echo "vmcheck: needs root (the guest's root file system keeps its owners)" >&2
	exit 1
fi
[ -s "$deb" ] || { echo "vmcheck: no package at $deb (make deb)" >&2; exit 1; }

# boot MACHINE_DIR SERIAL_LOG ACCEL TIMEOUT [APPEND]: one boot, until power-off
# or timeout; MACHINE_DIR/arch says which machine (s390x: its SCLP console
# takes the serial port's place)
boot() {
	local dir=$1 log=$2 accel=$3 limit=$4 extra=${5:-}
	local arch qemu console=ttyS0

	arch=$(cat "$dir/arch" 2>/dev/null || echo native)
	qemu=(qemu-system-x86_64 -accel "$accel")
	if [ "$arch" = s390x ]; then
		qemu=(qemu-system-s390x -M s390-ccw-virtio -accel tcg)
		console=ttysclp0
	fi
	timeout --kill-after=10 "$limit" "${qemu[@]}" -m 1024 -smp 1 \
		-kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" \
		-drive "file=$dir/disk.img,if=virtio,format=raw" \
		-append "console=$console root=/dev/vda rw quiet panic=-1 systemd.show_status=0 $extra" \
		-display none -monitor none -serial "file:$log" -nic none -no-reboot \
		</dev/null >"$log.qemu" 2>&1
}

# KVM exists on some hosts whose guests then hang: boot the kernel alone
# (it panics at once without a root file system) and fall back to TCG
# unless it printed its banner in time.
pick_accel() {
	local image=$1 probe=$work/probe-$2

	if [ -n "${PW_VM_ACCEL:-}" ]; then
		echo "$PW_VM_ACCEL"
		return
	fi

	if [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	mkdir -p "$probe"
	cp "$image/vmlinuz" "$probe/vmlinuz"
	: >"$probe/initrd.img"
	: >"$probe/disk.img"
	rm -f "$probe/serial"
	boot "$probe" "$probe/serial" kvm 20 "root=/dev/nonexistent"
	if grep -q 'Kernel panic\|Linux version' "$probe/serial" 2>/dev/null; then
		echo kvm
	else
		echo tcg
	fi
}

# prepare RELEASE IMAGE_DIR MACHINE_DIR ARCH DEB: a fresh disk with the test payload
prepare() {
	local release=$1 image=$2 dir=$3 root=$3/root arch=$4 pkg=$5 tty=ttyS0

	rm -rf "$dir"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xpf "$image/root.tar" || return 1
	cp "$image/vmlinuz" "$image/initrd.img" "$dir/"
	echo "$arch" >"$dir/arch"
	[ "$arch" = s390x ] && tty=ttysclp0
	mkdir -p "$root/pwvm"
	cp "$pkg" "$root/pwvm/portwarden.deb"
	install -m 0755 "$here/guest.sh" "$root/pwvm/guest.sh"
	echo "$scenarios" >"$root/pwvm/scenarios"
	sed "s,/dev/ttyS0,/dev/$tty," "$here/pwvm-test.service" >"$root/etc/systemd/system/pwvm-test.service"
	chmod 0644 "$root/etc/systemd/system/pwvm-test.service"
	ln -sf ../pwvm-test.service "$root/etc/systemd/system/multi-user.target.wants/pwvm-test.service"
	echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$root/etc/fstab"
	echo "pwvm-$release" >"$root/etc/hostname"
	# the serial port carries the test's output only; nothing waits for a network
	ln -sf /dev/null "$root/etc/systemd/system/serial-getty@$tty.service"
	# NetworkManager only where a scenario starts it (wifi): masked here
	for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
		man-db.timer systemd-networkd-wait-online.service NetworkManager.service \
		NetworkManager-wait-online.service hostapd.service; do
		ln -sf /dev/null "$root/etc/systemd/system/$u"
	done
	mkfs.ext4 -q -F -L pwvm -d "$root" "$dir/disk.img" 2G || return 1
	rm -rf "$root"
}

# run_release RELEASE: builds or reuses the image, boots it (again after a
# reboot the guest asks for) and prints the guest's TAP lines, then a last
# line "RESULT PASSED FAILED SECONDS".
run_release() {
	local release=$1 t0=$SECONDS image dir accel b pass fail result=hung
	local dist=$1 arch=native pkg=$deb

	case $release in *-s390x)
		dist=${release%-s390x} arch=s390x pkg=${deb%_*}_s390x.deb ;;
	esac
	if [ ! -s "$pkg" ]; then
		echo "$release: not ok - no package at $pkg (make crossdeb)"
		echo "RESULT 0 1 $((SECONDS - t0))"
		return
	fi
	if [ "$arch" = native ]; then
		image=$("$here/image.sh" "$dist") || image=
	else
		image=$("$here/image.sh" "$dist" "$arch") || image=
	fi
	if [ -z "$image" ]; then
		echo "$release: not ok - building the image failed"
		echo "RESULT 0 1 $((SECONDS - t0))"
		return
	fi
	dir=$work/$release
	accel=tcg	# another architecture is emulated whatever the host has
	[ "$arch" = native ] && accel=$(pick_accel "$image" "$release")
	echo "$release: # image $image, accel $accel, scenarios: $scenarios"
	if ! prepare "$release" "$image" "$dir" "$arch" "$pkg" >"$work/$release.prepare" 2>&1; then
		cat "$work/$release.prepare"
		echo "$release: not ok - preparing the disk failed"
		echo "RESULT 0 1 $((SECONDS - t0))"
		return
	fi
	for b in 1 2; do
		boot "$dir" "$dir/serial.$b" "$accel" "$boot_timeout"
		tr -d '\r' <"$dir/serial.$b" | grep -a '^\(ok\|not ok\|1\.\.\|#\)' | sed "s/^/$release: /"
		if grep -aq '^# pwvm: done' "$dir/serial.$b"; then
			result=done
			break
		fi
		grep -aq '^# pwvm: reboot' "$dir/serial.$b" || break
	done
	pass=$(cat "$dir"/serial.* | tr -d '\r' | grep -ac '^ok ')
	fail=$(cat "$dir"/serial.* | tr -d '\r' | grep -ac '^not ok ')
	if [ "$result" != done ]; then
		echo "$release: not ok - the guest did not finish (${boot_timeout}s per boot; see $dir/serial.*)"
		fail=$((fail + 1))
	fi
	echo "RESULT $pass $fail $((SECONDS - t0))"
}

mkdir -p "$work"
jobs=${PW_VM_JOBS:-1}
pids=()
for release in $releases; do
	if [ "$jobs" -gt 1 ]; then
		run_release "$release" >"$work/$release.out" 2>&1 &
		pids+=($!)
	else
		run_release "$release" | tee "$work/$release.out" | grep --line-buffered -v '^RESULT '
	fi
done
[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
total_pass=0 total_fail=0
for release in $releases; do
	[ "$jobs" -gt 1 ] && grep -v '^RESULT ' "$work/$release.out"
done
for release in $releases; do
	read -r _ pass fail secs < <(grep '^RESULT ' "$work/$release.out" || echo "RESULT 0 1 0")
	echo "$release: $pass passed, $fail failed ($secs s)"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done
echo "vmcheck: $total_pass passed, $total_fail failed ($SECONDS s)"
[ "$total_fail" -eq 0 ]
