#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make dist` and the OpenWrt feed directory it writes: the tarball has a
# stable name and the same bytes when built again, PKG_SOURCE names it,
# PKG_HASH is its SHA-256, it unpacks into PKG_BUILD_DIR and builds with
# the package's make flags (no -Werror) into what the package installs.
. tests/integration/lib.sh
# each make here is a build of its own, in a clean environment: the make
# that runs the tests exports its command line (SANITIZE=1, MAKEFLAGS)

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
env -i PATH="$PATH" make --no-print-directory dist DIST_DIR="$TMP/d1" >"$TMP/dist1.out" 2>&1 || { cat "$TMP/dist1.out"; fail "make dist"; }
tarball=$TMP/d1/portwarden-$version.tar.gz
[ -s "$tarball" ] || fail "make dist wrote no $tarball: $(ls "$TMP/d1")"
ok "make dist: portwarden-$version.tar.gz"
feed=$TMP/d1/openwrt/portwarden/Makefile
[ -s "$feed" ] || fail "no feed Makefile"

pkg_var() { sed -n "s/^$1:=//p" "$feed"; }
hash=$(sha256sum "$tarball" | cut -d' ' -f1)
[ "$(pkg_var PKG_HASH)" = "$hash" ] || fail "PKG_HASH $(pkg_var PKG_HASH), tarball $hash"
ok "PKG_HASH is the tarball's SHA-256"
[ "$(pkg_var PKG_VERSION)" = "$version" ] || fail "PKG_VERSION $(pkg_var PKG_VERSION), Makefile $version"
source=$(pkg_var PKG_SOURCE | sed "s/\$(PKG_NAME)/$(pkg_var PKG_NAME)/; s/\$(PKG_VERSION)/$version/")
[ "$source" = "$(basename "$tarball")" ] || fail "PKG_SOURCE $source is not $(basename "$tarball")"
ok "PKG_SOURCE names it ($source), PKG_VERSION $version"
diff <(grep -v '^PKG_HASH:=' packaging/openwrt/Makefile) <(grep -v '^PKG_HASH:=' "$feed") ||
	fail "the feed Makefile differs from packaging/openwrt/Makefile in more than PKG_HASH"
diff -r packaging/openwrt/files "$TMP/d1/openwrt/portwarden/files" || fail "the feed's files differ"
ok "the feed directory is packaging/openwrt with the hash filled in"

# the same bytes again
env -i PATH="$PATH" make --no-print-directory dist DIST_DIR="$TMP/d2" >/dev/null 2>&1 || fail "make dist, second run"
[ "$(sha256sum <"$TMP/d2/portwarden-$version.tar.gz" | cut -d' ' -f1)" = "$hash" ] ||
	fail "a second make dist built other bytes"
ok "a second make dist builds the same bytes"

tops=$(tar -tzf "$tarball" | cut -d/ -f1 | sort -u)
[ "$tops" = "portwarden-$version" ] || fail "tarball top directories: $tops"
ok "it unpacks into portwarden-$version (PKG_BUILD_DIR)"
tar -tzf "$tarball" | grep -q '^portwarden-[^/]*/\(build\|\.git\)/' &&
	fail "the tarball carries build output or git data"

# built as the OpenWrt package builds it: MAKE_FLAGS, in the unpacked tree
mkdir -p "$TMP/src"
tar -C "$TMP/src" -xzf "$tarball"
flags=$(sed -n 's/^MAKE_FLAGS += //p' "$feed")
expect_contains "$flags" "WERROR=0" "the package builds without -Werror"
# shellcheck disable=SC2086
env -i PATH="$PATH" make -C "$TMP/src/portwarden-$version" -j2 V=1 $flags >"$TMP/build.out" 2>&1 ||
	{ tail -30 "$TMP/build.out"; fail "the tarball does not build with $flags"; }
grep -q -- ' -c -o ' "$TMP/build.out" || fail "no compile lines in the build output"
expect_not_contains "$(grep -- ' -c -o ' "$TMP/build.out")" "-Werror" "no -Werror on any compile line"
for f in $(sed -n 's#^\t\$(INSTALL_\(BIN\|DATA\|CONF\)) \$(PKG_BUILD_DIR)/\([^ ]*\) .*#\2#p' "$feed"); do
	[ -s "$TMP/src/portwarden-$version/$f" ] || fail "the package installs $f, which the build did not make"
done
out=$("$TMP/src/portwarden-$version/build/portwarden" --db "$TMP/src/portwarden-$version/rules/ports.db" \
	--config /dev/null check 2>&1) || fail "the built program: $out"
ok "the tarball builds what the package installs, and it runs ($out)"
