# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the integration tests; sourced, not run.
set -u
PW="$PWD/$BUILD/portwarden"
DB="$PWD/rules/ports.db"
TMP=$(mktemp -d /tmp/pw-test.XXXXXX)
CHECKS=0

fail() {
	echo "FAILED: $*" >&2
	exit 1
}

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $*"
}

# expect_contains TEXT NEEDLE DESCRIPTION
expect_contains() {
	case "$1" in
	*"$2"*) ok "$3" ;;
	*) fail "$3: expected to find [$2] in: $1" ;;
	esac
}

expect_not_contains() {
	case "$1" in
	*"$2"*) fail "$3: did not expect [$2] in: $1" ;;
	*) ok "$3" ;;
	esac
}

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root for network namespaces"
		exit 77
	fi
}

CLEANUPS=()
on_exit() {
	local i
	for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUPS[i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# defer CMD: run CMD when the test exits, last deferred first
defer() {
	CLEANUPS+=("$1")
}
