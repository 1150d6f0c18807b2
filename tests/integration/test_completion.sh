#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion offers every command `portwarden --help` lists, every
# option each command's --help documents, the policy words, and the
# service names and aliases of the database (bash-completion's own
# _init_completion, driven as readline would: COMP_WORDS and COMP_CWORD).
. tests/integration/lib.sh
COMPLETION=packaging/bash-completion/portwarden
[ -r /usr/share/bash-completion/bash_completion ] ||
	fail "bash-completion is not installed (make deps)"
# bash_completion reads unset variables: not under set -u
set +u
. /usr/share/bash-completion/bash_completion
. "$COMPLETION"

[ "$(complete -p portwarden)" = "complete -F _portwarden portwarden" ] ||
	fail "complete -p portwarden: $(complete -p portwarden 2>&1)"
ok "complete -p: portwarden completes with _portwarden"

# comp WORD...: what completing the last word offers, one a line
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_portwarden portwarden "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}

offers() {	# offers DESCRIPTION WANT WORD...: WANT is among the completions
	local what=$1 want=$2
	shift 2
	comp "$@" | grep -qxF -- "$want" || fail "$what: \"$want\" not offered for [$*]: $(comp "$@" | tr '\n' ' ')"
}

commands=$("$PW" --help | awk '/^commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
[ "$(echo "$commands" | wc -l)" -ge 14 ] || fail "portwarden --help lists too few commands: $commands"
for c in $commands; do
	offers "command" "$c" portwarden ""
	for o in $("$PW" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		offers "option of $c" "$o" portwarden "$c" -
	done
done
ok "every command of --help, and every option each one documents, is offered"
for o in $("$PW" --help | sed -n '/^options:/,$p' | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	offers "common option" "$o" portwarden -
done
ok "every common option is offered"

offers "policy word" loopback-only portwarden --db "$DB" guard 143 ""
offers "policy word" lan-only portwarden --db "$DB" guard 143 l
[ -z "$(comp portwarden --db "$DB" guard 143 lan-only "")" ] || fail "guard offers a third argument"
ok "guard offers the policy words for its second argument, nothing after"
offers "service name" imap portwarden --db "$DB" allow im
offers "alias" imap2 portwarden --db "$DB" lookup imap
offers "service of log" redis portwarden --db "$DB" log --service red
offers "service for why" imap portwarden --db "$DB" why 198.51.100.2 ima
ok "service names and aliases of the database are offered"
[ -z "$(comp portwarden --db "$DB" why 19)" ] || fail "why offers services for the address"
ok "why offers no service for its address"
mkdir "$TMP/dir" && : >"$TMP/dir/local.rules"
offers "file" "$TMP/dir/local.rules" portwarden --db "$TMP/dir/l"
ok "--db completes file names"
