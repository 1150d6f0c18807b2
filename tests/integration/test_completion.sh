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

mkdir "$TMP/dir" && : >"$TMP/dir/local.rules"
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

# what each side of the command line added, named here as well as read
# from --help: a help text that lost one would otherwise lose its check too
for c in report changes reload adopt; do
	offers "command" "$c" portwarden ""
done
for o in --text --output --local-time --since --port; do
	offers "option of report" "$o" portwarden report -
done
for o in --from --timeout --lan --why; do
	offers "option of allow" "$o" portwarden allow 9100 -
done
for o in --from --timeout; do
	offers "option of guard" "$o" portwarden guard 9100 lan-only -
done
for o in --window --finish --if-due --open --dry-run; do
	offers "option of adopt" "$o" portwarden adopt -
done
offers "option of log" --local-time portwarden log -
ok "report, changes, reload, allow/guard --from and --timeout, adopt's window options are offered"
offers "command" zone portwarden ""
offers "option of zone" --why portwarden zone -
offers "interface of zone" lo portwarden zone ""
offers "zone word" public portwarden zone lo ""
offers "zone word" auto portwarden zone --why "moved" lo ""
[ -z "$(comp portwarden zone lo public "")" ] || fail "zone offers a third argument"
ok "zone: its interfaces, then lan, public, wan or auto"
offers "duration" 24h portwarden adopt --window ""
offers "duration" 1h portwarden allow 9100 --timeout ""
[ -z "$(comp portwarden --db "$DB" allow 143 --from "")" ] || fail "--from offers services for a network"
offers "service after --from's value" imap portwarden --db "$DB" allow --from 203.0.113.0/24 im
[ -z "$(comp portwarden --db "$DB" guard --from 203.0.113.0/24 143 lan-only "")" ] ||
	fail "--from's value counted as an argument of guard"
offers "file of report -o" "$TMP/dir/local.rules" portwarden report -o "$TMP/dir/l"
offers "file of report --output" "$TMP/dir/local.rules" portwarden report --output "$TMP/dir/l"
ok "option values: durations offered, networks and files left to the user, never counted as arguments"

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
offers "file" "$TMP/dir/local.rules" portwarden --db "$TMP/dir/l"
ok "--db completes file names"
