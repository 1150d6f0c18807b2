#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The libraries portwarden links (libmnl, libnfnetlink, libnftnl,
# libnetfilter_queue, zlib) and cmocka for its unit tests, built as static
# libraries with musl-gcc (Debian's musl-tools) for `make static`.  The
# sources are Debian's own source packages, of the same versions as the
# system's -dev packages, fetched with apt from the Debian archive this
# machine already uses: a private apt state under OUT lists deb-src entries
# for the same archive and suites, so the system's apt configuration is
# left alone.  Where the archive does not serve a source package, upstream
# release tarballs of the same versions in PW_MUSL_SOURCES (a directory:
# libmnl-1.0.4.tar.bz2, libnftnl-1.2.4.tar.xz, ...) are used instead.
# Installs into OUT/root; OUT/kernel-include holds the Linux UAPI headers
# (musl-gcc searches no glibc directory).
#   packaging/musl-libs.sh OUT       (prints OUT/root once it is complete)
set -euo pipefail

out=$(realpath -m "$1")
root=$out/root
jobs=$(nproc 2>/dev/null || echo 2)
# Debian binary package -> its source package and version, in build order
devs="libmnl-dev libnfnetlink-dev libnftnl-dev libnetfilter-queue-dev zlib1g-dev libcmocka-dev"

sources=$(for d in $devs; do
	dpkg-query -W -f '${source:Package}=${source:Version}\n' "$d" 2>/dev/null ||
		{ echo "static: $d is not installed (make deps)" >&2; exit 1; }
done)
if [ -s "$root/.sources" ] && [ "$(cat "$root/.sources")" = "$sources" ]; then
	echo "$root"
	exit 0
fi
command -v musl-gcc >/dev/null || { echo "static: musl-gcc missing (apt-get install musl-tools)" >&2; exit 1; }

# ---- Debian's source packages ----------------------------------------------
apt_dir=$out/apt
rm -rf "$out/src" "$root"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$out/src" "$root"
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
# the release's own suite first: apt takes a source from the first entry
# that lists its version
apt-get indextargets --format '$(REPO_URI) $(RELEASE)' | awk '!seen[$0]++' |
	grep -E " $codename(-updates|-security)?$" | sort -k2,2 |
	while read -r uri suite; do
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
	done >"$apt_dir/sources.list"
[ -s "$apt_dir/sources.list" ] || { echo "static: no Debian archive in apt's lists (apt-get update)" >&2; exit 1; }
apt_private() {
	apt-get -q -o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" \
		-o APT::Sandbox::User=root "$@"
}
apt_private update >"$out/apt.log" 2>&1 || { cat "$out/apt.log" >&2; exit 1; }
missing=""
for s in $sources; do
	pkg=${s%%=*} ver=${s#*=}
	upstream=${ver#*:}
	upstream=${upstream%-*}
	if (cd "$out/src" && apt_private source --download-only "$s") >>"$out/apt.log" 2>&1; then
		(cd "$out/src" && dpkg-source --no-check -x "${pkg}_${ver#*:}.dsc" "$pkg-$upstream") \
			>>"$out/apt.log" 2>&1 || { tail -5 "$out/apt.log" >&2; exit 1; }
		continue
	fi
	# an upstream release: libnetfilter-queue is libnetfilter_queue there
	tarball=$(ls "${PW_MUSL_SOURCES:-/nonexistent}/$pkg-$upstream".tar.* \
		"${PW_MUSL_SOURCES:-/nonexistent}/$(echo "$pkg" | tr - _)-$upstream".tar.* 2>/dev/null | head -1 || true)
	if [ -n "$tarball" ]; then
		mkdir -p "$out/src/$pkg-$upstream"
		tar -C "$out/src/$pkg-$upstream" --strip-components=1 -xf "$tarball"
	else
		missing="$missing $pkg=$ver"
	fi
done
if [ -n "$missing" ]; then
	grep -h 'Failed to fetch' "$out/apt.log" | sed 's/^E: /static: /' >&2
	echo "static: no source for:$missing (the Debian archive did not serve it; put upstream" \
		"release tarballs of these versions in PW_MUSL_SOURCES)" >&2
	exit 1
fi

# ---- the kernel's UAPI headers, without glibc's ------------------------------
inc=$out/kernel-include
mkdir -p "$inc"
multiarch=$(gcc -print-multiarch)
ln -sfn /usr/include/linux "$inc/linux"
ln -sfn /usr/include/asm-generic "$inc/asm-generic"
ln -sfn "/usr/include/$multiarch/asm" "$inc/asm"

export CC=musl-gcc
export CFLAGS="-O2 -fPIE -isystem $inc"
export PKG_CONFIG_LIBDIR=$root/lib/pkgconfig
src_dir() { find "$out/src" -maxdepth 1 -type d -name "$1-[0-9]*" | head -1; }

autotools() {	# autotools SOURCE_PACKAGE
	local dir

	dir=$(src_dir "$1")
	(cd "$dir" && ./configure --prefix="$root" --enable-static --disable-shared \
		--disable-dependency-tracking && make -j"$jobs" && make install) >"$out/$1.log" 2>&1 ||
		{ tail -30 "$out/$1.log" >&2; echo "static: building $1 failed (log: $out/$1.log)" >&2; exit 1; }
}

autotools libmnl
autotools libnfnetlink
autotools libnftnl
autotools libnetfilter-queue

dir=$(src_dir zlib)
(cd "$dir" && ./configure --prefix="$root" --static && make -j"$jobs" libz.a && make install) \
	>"$out/zlib.log" 2>&1 || { tail -30 "$out/zlib.log" >&2; exit 1; }

dir=$(src_dir cmocka)
mkdir -p "$dir/build-musl"
(cd "$dir/build-musl" && cmake -DCMAKE_C_COMPILER=musl-gcc -DCMAKE_INSTALL_PREFIX="$root" \
	-DCMAKE_INSTALL_LIBDIR=lib -DWITH_STATIC_LIB=ON -DBUILD_SHARED_LIBS=OFF -DWITH_EXAMPLES=OFF \
	-DUNIT_TESTING=OFF .. && make -j"$jobs" && make install) >"$out/cmocka.log" 2>&1 ||
	{ tail -30 "$out/cmocka.log" >&2; exit 1; }
# a static link takes libcmocka.a; cmocka installs it under another name
ln -sf libcmocka-static.a "$root/lib/libcmocka.a"
rm -f "$root"/lib/libcmocka.so*

echo "$sources" >"$root/.sources"
echo "$root"
