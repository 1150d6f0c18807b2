// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rulesedit.h"

static const struct portspec imap = { .lo = 143, .hi = 143, .protos = POLICY_TCP };

static char *set(const char *text, const struct portspec *ps, const char *policy,
		 const char *note, unsigned *line)
{
	struct rulesedit r;

	assert_int_equal(rulesedit_set(text, strlen(text), ps, "imap", policy, note, &r), 0);
	assert_int_equal(r.len, strlen(r.text));
	if (line)
		*line = r.line;
	return r.text;
}

static char *removed(const char *text, const struct portspec *ps, int want)
{
	struct rulesedit r;

	assert_int_equal(rulesedit_remove(text, strlen(text), ps, &r), want);
	return r.text;
}

static void rulesedit_set__empty_file__entry_appended_with_note(void **state)
{
	unsigned line;
	char *t = set("", &imap, "open", "allowed 2026-12-01", &line);

	assert_string_equal(t, "# portwarden: allowed 2026-12-01\n143/tcp  imap  open\n");
	assert_int_equal(line, 2);
	free(t);
}

static void rulesedit_set__comments_no_final_newline__kept_and_separated(void **state)
{
	unsigned line;
	char *t = set("# my overrides\n25/tcp smtp open", &imap, "lan-only", NULL, &line);

	assert_string_equal(t, "# my overrides\n25/tcp smtp open\n\n143/tcp  imap  lan-only\n");
	assert_int_equal(line, 4);
	free(t);
}

static void rulesedit_set__existing_entry__policy_replaced_attributes_kept(void **state)
{
	static const char before[] =
		"# the admin's words\n"
		"143/tcp   imap-proxy   loopback-only\n"
		"\ttitle  our scanner\n"
		"\n"
		"993/tcp imaps open\n";
	unsigned line;
	char *t = set(before, &imap, "open", "allowed", &line);

	assert_string_equal(t,
		"# the admin's words\n"
		"# portwarden: allowed\n"
		"143/tcp  imap-proxy  open\n"
		"\ttitle  our scanner\n"
		"\n"
		"993/tcp imaps open\n");
	assert_int_equal(line, 3);
	free(t);
}

static void rulesedit_set__twice__one_note_one_entry(void **state)
{
	char *once = set("", &imap, "open", "first", NULL);
	char *twice = set(once, &imap, "lan-only", "second", NULL);

	assert_string_equal(twice, "# portwarden: second\n143/tcp  imap  lan-only\n");
	free(once);
	free(twice);
}

static void rulesedit_set__same_ports_other_protocols__conflict_named(void **state)
{
	static const char before[] = "# x\n143/both imap loopback-only\n";
	struct rulesedit r;

	assert_int_equal(rulesedit_set(before, strlen(before), &imap, "imap", "open", NULL, &r),
			 -EEXIST);
	assert_int_equal(r.line, 2);
}

static void rulesedit_remove__appended_entry__file_as_before(void **state)
{
	static const char before[] = "# my overrides\n25/tcp smtp open\n";
	char *t = set(before, &imap, "open", "allowed", NULL);
	char *back = removed(t, &imap, 1);

	assert_string_equal(back, before);
	free(t);
	free(back);
}

static void rulesedit_remove__admin_comment_and_range__kept(void **state)
{
	static const char before[] =
		"# keep me\n"
		"143/tcp imap open\n"
		"\ttitle x\n"
		"6000-6063/tcp x11 open\n";
	static const struct portspec x11 = { .lo = 6000, .hi = 6063, .protos = POLICY_BOTH };
	char *t = removed(before, &imap, 1);
	char *u;

	assert_string_equal(t, "# keep me\n6000-6063/tcp x11 open\n");
	u = removed(t, &x11, 1);
	assert_string_equal(u, "# keep me\n");
	free(t);
	free(u);
}

static void rulesedit_remove__no_entry__unchanged(void **state)
{
	static const char before[] = "25/tcp smtp open\n\n";
	char *t = removed(before, &imap, 0);

	assert_string_equal(t, before);
	free(t);
}

static char *set_from(const char *text, int replace, const char *words, int want)
{
	struct rulesedit r = { 0 };

	assert_int_equal(rulesedit_set_from(text, strlen(text), &imap, replace, words, &r), want);
	return r.text;
}

static void rulesedit_set_from__added_after_the_attributes__other_entries_kept(void **state)
{
	static const char before[] =
		"143/tcp  imap  lan-only\n"
		"\ttitle  our proxy\n"
		"\tfrom 203.0.113.0/24\n"
		"\n"
		"993/tcp imaps lan-only\n"
		"\tfrom 198.51.100.0/24\n";
	char *added = set_from(before, 0, "198.51.100.7 2001:db8::/32", 0);
	char *replaced = set_from(before, 1, "192.0.2.0/24", 0);
	char *dropped = set_from(before, 1, NULL, 0);

	assert_string_equal(added,
		"143/tcp  imap  lan-only\n"
		"\ttitle  our proxy\n"
		"\tfrom 203.0.113.0/24\n"
		"\tfrom 198.51.100.7 2001:db8::/32\n"
		"\n"
		"993/tcp imaps lan-only\n"
		"\tfrom 198.51.100.0/24\n");
	assert_string_equal(replaced,
		"143/tcp  imap  lan-only\n"
		"\ttitle  our proxy\n"
		"\tfrom 192.0.2.0/24\n"
		"\n"
		"993/tcp imaps lan-only\n"
		"\tfrom 198.51.100.0/24\n");
	assert_string_equal(dropped,
		"143/tcp  imap  lan-only\n"
		"\ttitle  our proxy\n"
		"\n"
		"993/tcp imaps lan-only\n"
		"\tfrom 198.51.100.0/24\n");
	free(added);
	free(replaced);
	free(dropped);
}

static void rulesedit_set_from__header_last_line__from_follows_it(void **state)
{
	char *t = set_from("# notes\n143/tcp imap loopback-only", 0, "203.0.113.0/24", 0);

	assert_string_equal(t, "# notes\n143/tcp imap loopback-only\n\tfrom 203.0.113.0/24\n");
	free(t);
	assert_null(set_from("993/tcp imaps open\n", 0, "203.0.113.0/24", -ENOENT));
}

static void rulesedit_remove__one_protocol_of_both__entry_keeps_the_other(void **state)
{
	static const char before[] =
		"# portwarden: guarded on 2026-12-01\n"
		"8765/both  agent  loopback-only\n"
		"\ttitle inventory agent\n"
		"25/tcp smtp open\n";
	static const struct portspec udp = { .lo = 8765, .hi = 8765, .protos = POLICY_UDP };
	static const struct portspec tcp = { .lo = 8765, .hi = 8765, .protos = POLICY_TCP };
	char *t = removed(before, &udp, 1);
	char *u;

	assert_string_equal(t, "# portwarden: guarded on 2026-12-01\n"
			       "8765/tcp  agent  loopback-only\n"
			       "\ttitle inventory agent\n"
			       "25/tcp smtp open\n");
	u = removed(t, &tcp, 1);
	assert_string_equal(u, "25/tcp smtp open\n");
	free(t);
	free(u);
}

static const char timed[] =
	"# mine\n"
	"# portwarden: allowed on 2026-12-06 with `portwarden allow --timeout 10m`\n"
	"8080/tcp  web  open\n"
	"\texpires 2026-12-06T10:30:00Z lan-only\n"
	"\ttitle the shop\n"
	"\n"
	"# portwarden: allowed on 2026-12-06 with `portwarden allow --timeout 1h`\n"
	"6379/tcp  redis  open\n"
	"\texpires 2026-12-06T11:00:00Z\n";
static const struct portspec web = { .lo = 8080, .hi = 8080, .protos = POLICY_TCP };
static const struct portspec redis = { .lo = 6379, .hi = 6379, .protos = POLICY_TCP };
#define T0 1796553000	/* 2026-12-06T10:30:00Z */

static void rulesedit_entry__note_header_attributes__whole_block(void **state)
{
	char *e;

	assert_int_equal(rulesedit_entry(timed, strlen(timed), &web, &e), 1);
	assert_string_equal(e, "# portwarden: allowed on 2026-12-06 with `portwarden allow --timeout 10m`\n"
			       "8080/tcp  web  open\n"
			       "\texpires 2026-12-06T10:30:00Z lan-only\n"
			       "\ttitle the shop\n");
	free(e);
	assert_int_equal(rulesedit_entry(timed, strlen(timed), &imap, &e), 0);
	assert_null(e);
}

static void rulesedit_replace__entry_back__file_around_it_kept(void **state)
{
	struct rulesedit r;

	assert_int_equal(rulesedit_replace(timed, strlen(timed), &web, "8080/tcp  web  lan-only\n", &r), 1);
	assert_string_equal(r.text, "# mine\n8080/tcp  web  lan-only\n\n"
				    "# portwarden: allowed on 2026-12-06 with `portwarden allow --timeout 1h`\n"
				    "6379/tcp  redis  open\n\texpires 2026-12-06T11:00:00Z\n");
	free(r.text);
	assert_int_equal(rulesedit_replace(timed, strlen(timed), &redis, NULL, &r), 1);
	assert_null(strstr(r.text, "6379"));
	assert_null(strstr(r.text, "1h`"));
	free(r.text);
}

static void rulesedit_set_expiry__replaced_then_removed(void **state)
{
	struct rulesedit r, u;

	assert_int_equal(rulesedit_set_expiry(timed, strlen(timed), &web, T0 + 60, NULL, &r), 0);
	assert_non_null(strstr(r.text, "8080/tcp  web  open\n\texpires 2026-12-06T10:31:00Z\n"
					"\ttitle the shop\n"));
	assert_int_equal(rulesedit_set_expiry(r.text, r.len, &web, 0, NULL, &u), 0);
	assert_non_null(strstr(u.text, "8080/tcp  web  open\n\ttitle the shop\n"));
	free(r.text);
	free(u.text);
	assert_int_equal(rulesedit_set_expiry(timed, strlen(timed), &imap, T0, NULL, &r), -ENOENT);
}

static void rulesedit_expire__times_come__later_policy_or_gone(void **state)
{
	struct rulesedit r;

	assert_int_equal(rulesedit_expire(timed, strlen(timed), T0 - 1, &r), 0);
	assert_string_equal(r.text, timed);
	free(r.text);
	assert_int_equal(rulesedit_expire(timed, strlen(timed), T0, &r), 1);
	assert_non_null(strstr(r.text, "8080/tcp  web  lan-only\n\ttitle the shop\n"));
	assert_non_null(strstr(r.text, "6379/tcp  redis  open\n\texpires"));
	free(r.text);
	assert_int_equal(rulesedit_expire(timed, strlen(timed), T0 + 3600, &r), 2);
	assert_null(strstr(r.text, "6379"));
	assert_null(strstr(r.text, "expires"));
	free(r.text);
}

/* an entry that --from widened for a while: after the time, the
 * networks its expires line names, and only those */
static void rulesedit_expire__networks_after_the_time__only_those(void **state)
{
	static const char text[] =
		"9100/tcp  jetdirect  lan-only\n"
		"\texpires 2026-12-06T10:30:00Z lan-only from 203.0.113.0/24 2001:db8::/32\n"
		"\ttitle the site\n"
		"\tfrom 203.0.113.0/24 2001:db8::/32\n"
		"\tfrom 198.51.100.7\n"
		"5432/tcp  pg  lan-only\n"
		"\texpires 2026-12-06T10:30:00Z loopback-only\n"
		"\tfrom 192.0.2.0/24\n"
		"8080/tcp  web  lan-only\n"
		"\texpires 2026-12-06T10:30:00Z open\n"
		"\tfrom 192.0.2.0/24\n";
	struct rulesedit r;

	assert_int_equal(rulesedit_expire(text, strlen(text), T0, &r), 3);
	assert_string_equal(r.text,
		"9100/tcp  jetdirect  lan-only\n"
		"\ttitle the site\n"
		"\tfrom 203.0.113.0/24 2001:db8::/32\n"
		"5432/tcp  pg  loopback-only\n"
		"8080/tcp  web  open\n");
	free(r.text);
}

struct seen {
	unsigned n;
	struct rulesedit_view v[4];
};

static void keep(void *ctx, const struct rulesedit_view *v)
{
	struct seen *s = ctx;

	if (s->n < 4)
		s->v[s->n] = *v;
	s->n++;
}

static void rulesedit_each__entries_with_note_time_and_attributes(void **state)
{
	struct seen s = { 0 };

	assert_int_equal(rulesedit_each(timed, strlen(timed), keep, &s), 2);
	assert_int_equal(s.v[0].line, 3);
	assert_string_equal(s.v[0].service, "web");
	assert_string_equal(s.v[0].policy, "open");
	assert_string_equal(s.v[0].note, "allowed on 2026-12-06 with `portwarden allow --timeout 10m`");
	assert_int_equal(s.v[0].expires, T0);
	assert_string_equal(s.v[0].then, "lan-only");
	assert_int_equal(s.v[0].nattrs, 1);
	assert_string_equal(s.v[0].attrs[0], "title the shop");
	assert_int_equal(s.v[1].spec.lo, 6379);
	assert_string_equal(s.v[1].then, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rulesedit_set__empty_file__entry_appended_with_note),
		cmocka_unit_test(rulesedit_set__comments_no_final_newline__kept_and_separated),
		cmocka_unit_test(rulesedit_set__existing_entry__policy_replaced_attributes_kept),
		cmocka_unit_test(rulesedit_set__twice__one_note_one_entry),
		cmocka_unit_test(rulesedit_set__same_ports_other_protocols__conflict_named),
		cmocka_unit_test(rulesedit_remove__appended_entry__file_as_before),
		cmocka_unit_test(rulesedit_remove__one_protocol_of_both__entry_keeps_the_other),
		cmocka_unit_test(rulesedit_entry__note_header_attributes__whole_block),
		cmocka_unit_test(rulesedit_replace__entry_back__file_around_it_kept),
		cmocka_unit_test(rulesedit_set_expiry__replaced_then_removed),
		cmocka_unit_test(rulesedit_expire__times_come__later_policy_or_gone),
		cmocka_unit_test(rulesedit_expire__networks_after_the_time__only_those),
		cmocka_unit_test(rulesedit_each__entries_with_note_time_and_attributes),
		cmocka_unit_test(rulesedit_remove__admin_comment_and_range__kept),
		cmocka_unit_test(rulesedit_remove__no_entry__unchanged),
		cmocka_unit_test(rulesedit_set_from__added_after_the_attributes__other_entries_kept),
		cmocka_unit_test(rulesedit_set_from__header_last_line__from_follows_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
