// SPDX-License-Identifier: GPL-2.0-or-later
/* The adoption window's state file: two timestamps, strictly parsed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learnfile.h"
#include "textfile.h"

void learnfile_time_text(time_t t, char *out, size_t cap)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "?");
}

/* exactly "YYYY-MM-DDTHH:MM:SSZ", UTC */
static int parse_time(const char *s, time_t *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct tm tm = { 0 };
	size_t i;

	if (strlen(s) != sizeof(shape) - 1)
		return -1;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return -1;
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	if (tm.tm_year < 70 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

struct parse {
	struct learnfile *lf;
	unsigned seen;		/* 1: started, 2: until */
};

static void parse_line(void *ctx, struct diag *d, unsigned line, char *text)
{
	struct parse *p = ctx;
	char *key, *eq, *value;
	unsigned bit;
	time_t t;

	while (*text == ' ' || *text == '\t')
		text++;
	if (!*text || *text == '#')
		return;
	eq = strchr(text, '=');
	if (!eq) {
		diag_error(d, line, "expected \"key = value\"");
		return;
	}
	*eq = '\0';
	value = eq + 1;
	key = textfile_word(&text);
	value = textfile_word(&value);
	bit = key && !strcmp(key, "started") ? 1 : key && !strcmp(key, "until") ? 2 : 0;
	if (!bit) {
		diag_error(d, line, "unknown key \"%.40s\" (expected started or until)", key ? key : "");
		return;
	}
	if (!value || parse_time(value, &t) < 0) {
		diag_error(d, line, "%s: expected a time as YYYY-MM-DDTHH:MM:SSZ", key);
		return;
	}
	if (p->seen & bit) {
		diag_error(d, line, "%s given twice", key);
		return;
	}
	p->seen |= bit;
	if (bit == 1)
		p->lf->started = t;
	else
		p->lf->until = t;
}

unsigned learnfile_parse(const char *name, char *buf, size_t len, struct learnfile *lf, FILE *err)
{
	struct diag d = { .out = err, .file = name };
	struct parse p = { lf, 0 };

	memset(lf, 0, sizeof(*lf));
	textfile_lines(&d, buf, len, parse_line, &p);
	if (!d.errors && p.seen != 3)
		diag_error(&d, 0, "needs both started and until");
	else if (!d.errors && lf->until < lf->started)
		diag_error(&d, 0, "until comes before started");
	diag_finish(&d);
	if (d.errors)
		memset(lf, 0, sizeof(*lf));
	return d.errors;
}

int learnfile_format(const struct learnfile *lf, char *out, size_t cap)
{
	char started[32], until[32];

	learnfile_time_text(lf->started, started, sizeof(started));
	learnfile_time_text(lf->until, until, sizeof(until));
	return snprintf(out, cap,
			"# portwarden adopt: the adoption window.  While this file exists, lan-only\n"
			"# ports log would-block instead of dropping; `portwarden adopt --finish`\n"
			"# keeps the clients seen as from sources and removes it (portwarden(8)).\n"
			"started = %s\nuntil = %s\n", started, until);
}

static unsigned load(void *ctx, const char *name, char *buf, size_t len, FILE *err)
{
	return learnfile_parse(name, buf, len, ctx, err);
}

int learnfile_load(const char *path, struct learnfile *lf, FILE *err)
{
	memset(lf, 0, sizeof(*lf));
	if (!path || !*path)
		return 0;
	if (access(path, F_OK) < 0)
		return errno == ENOENT ? 0 : -errno;
	textfile_load(path, 0, err, load, lf);
	return 1;
}
