// SPDX-License-Identifier: GPL-2.0-or-later
/* Parser for rules files (portwarden.rules(5)).
 *
 *   143/tcp  imap  loopback-only
 *           title     Internet Message Access Protocol
 *           related   25/tcp 110/tcp 993/tcp
 *           overlaps  100-200/tcp     (another entry of this file, on purpose)
 *           software  Dovecot, Cyrus IMAP
 *           served-by /usr/sbin/dovecot /usr/lib/dovecot/imap-login
 *           listener  lan-only grafana gitea next:start
 *           cve       CVE-2019-11500
 *           cve       CVE-2022-24112 via 9080/tcp
 *           from      203.0.113.0/24 2001:db8:5::/48   (admitted beyond the policy)
 *           about     Free text; repeated "about" lines are joined.
 *
 * An entry starts in column one; indented lines add attributes to it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "expiry.h"
#include "netaddr.h"
#include "policy.h"
#include "textfile.h"

#define TITLE_MAX	120
#define SOFTWARE_MAX	400
#define ABOUT_MAX	2000
#define WORDS_MAX	600	/* aliases, served-by, listener, program, option, cve */
#define VIA_MAX		600	/* cve ... via ... lines */
#define INCIDENT_MAX	1500
#define BIND_MAX	600

struct parse_ctx {
	struct policy_db *db;
	const char *file;
	unsigned first;		/* first entry of this file */
	struct policy_entry *cur;	/* entry attributes attach to, or NULL */
	int cur_bad;		/* header was bad: skip its attribute lines */
	/* this file's entries by range, to find duplicates in O(1): entry
	 * number + 1 per slot, 0 for an empty one; open addressing */
	unsigned *by_range;
	unsigned range_cap, range_used, range_bits;
	unsigned past_cap;	/* entries past POLICY_ENTRIES_MAX, said once */
};

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	const char *p;

	if (!*s || strlen(s) > 5)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "PORT[-PORT]/PROTO"; proto is optional when dflt is non-zero */
static int parse_portspec(struct diag *d, unsigned line, char *spec, uint8_t dflt,
			  struct policy_port_ref *ref)
{
	char *slash = strchr(spec, '/');
	char *dash;

	if (slash)
		*slash = '\0';
	else if (!dflt) {
		diag_error(d, line, "\"%s\": protocol missing (write PORT/tcp, PORT/udp or PORT/both)", spec);
		return -1;
	}
	if (slash && policy_protos_parse(slash + 1, &ref->protos) < 0) {
		diag_error(d, line, "unknown protocol \"%s\" (expected tcp, udp or both)", slash + 1);
		return -1;
	}
	if (!slash)
		ref->protos = dflt;
	dash = strchr(spec, '-');
	if (dash)
		*dash = '\0';
	if (parse_port(spec, &ref->lo) < 0 || (dash && parse_port(dash + 1, &ref->hi) < 0)) {
		diag_error(d, line, "bad port \"%s%s%s\" (expected 1-65535 or a range LOW-HIGH)",
			   spec, dash ? "-" : "", dash ? dash + 1 : "");
		return -1;
	}
	if (!dash)
		ref->hi = ref->lo;
	if (ref->hi < ref->lo) {
		diag_error(d, line, "range %u-%u runs backwards", ref->lo, ref->hi);
		return -1;
	}
	return 0;
}

int policy_valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= POLICY_SERVICE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || !strchr("._+-", c)))
			return 0;
	}
	return 1;
}

/* Fibonacci hashing: the product's high bits depend on both bounds.  Its
 * low bits depend on the low bits of the key alone, which is hi: ranges
 * sharing an upper bound would all probe from one slot. */
static unsigned range_slot(const struct parse_ctx *c, uint16_t lo, uint16_t hi)
{
	return (((uint32_t)lo << 16 | hi) * 2654435761u) >> (32 - c->range_bits);
}

static struct policy_entry *duplicate_of(const struct parse_ctx *c, const struct policy_entry *e)
{
	unsigned h;

	if (!c->range_cap)
		return NULL;
	/* the same range may hold a tcp and a udp entry: probe past them */
	for (h = range_slot(c, e->lo, e->hi); c->by_range[h]; h = (h + 1) & (c->range_cap - 1)) {
		struct policy_entry *o = &c->db->entries[c->by_range[h] - 1];

		if (o->lo == e->lo && o->hi == e->hi && (o->protos & e->protos))
			return o;
	}
	return NULL;
}

static void range_insert(struct parse_ctx *c, unsigned idx)
{
	const struct policy_entry *e = &c->db->entries[idx];
	unsigned h = range_slot(c, e->lo, e->hi);

	while (c->by_range[h])
		h = (h + 1) & (c->range_cap - 1);
	c->by_range[h] = idx + 1;
	c->range_used++;
}

/* Keeps the table at most half full; 0 or -ENOMEM. */
static int range_reserve(struct parse_ctx *c)
{
	unsigned cap = c->range_cap ? c->range_cap * 2 : 1024, i;
	unsigned *old = c->by_range;

	if (2 * (c->range_used + 1) <= c->range_cap)
		return 0;
	c->by_range = calloc(cap, sizeof(*c->by_range));
	if (!c->by_range) {
		c->by_range = old;
		return -ENOMEM;
	}
	c->range_cap = cap;
	c->range_bits = (unsigned)__builtin_ctz(cap);
	c->range_used = 0;
	for (i = c->first; i < c->db->nentries; i++)
		range_insert(c, i);
	free(old);
	return 0;
}

static struct policy_entry *append_entry(struct policy_db *db)
{
	struct policy_entry *e;

	if (db->nentries == db->cap) {
		unsigned cap = db->cap ? db->cap * 2 : 256;

		e = realloc(db->entries, cap * sizeof(*e));
		if (!e)
			return NULL;
		db->entries = e;
		db->cap = cap;
	}
	e = &db->entries[db->nentries];
	memset(e, 0, sizeof(*e));
	return e;
}

static void parse_header(struct parse_ctx *c, struct diag *d, unsigned line, char *rest)
{
	char *spec = textfile_word(&rest);
	char *service = textfile_word(&rest);
	char *kind = textfile_word(&rest);
	struct policy_port_ref ref;
	struct policy_entry tmp, *e, *dup;

	c->cur = NULL;
	c->cur_bad = 1;
	if (!spec || !service || !kind) {
		diag_error(d, line, "expected \"PORT/PROTO SERVICE POLICY\"");
		return;
	}
	if (textfile_word(&rest)) {
		diag_error(d, line, "unexpected text after the policy (attributes go on indented lines)");
		return;
	}
	if (parse_portspec(d, line, spec, 0, &ref) < 0)
		return;
	if (!policy_valid_name(service)) {
		diag_error(d, line, "bad service name \"%.40s\" (letters, digits and ._+-, at most %d)",
			   service, POLICY_SERVICE_MAX - 1);
		return;
	}
	memset(&tmp, 0, sizeof(tmp));
	if (policy_kind_parse(kind, &tmp.kind) < 0) {
		diag_error(d, line, "unknown policy \"%.40s\" (expected loopback-only, lan-only or open)", kind);
		return;
	}
	tmp.lo = ref.lo;
	tmp.hi = ref.hi;
	tmp.protos = ref.protos;
	dup = duplicate_of(c, &tmp);
	if (dup) {
		diag_error(d, line, "%s duplicates the entry at line %u (one entry per port and protocol in a file; override in a later file)",
			   service, dup->line);
		return;
	}
	/* each file on its own: the shipped database does not count against
	 * local.rules; past the cap the file is refused, with one message */
	if (c->db->nentries - c->first >= POLICY_ENTRIES_MAX) {
		if (!c->past_cap++)
			diag_error(d, line, "more than %u entries in one file (this is the first "
				   "past it); split the file", POLICY_ENTRIES_MAX);
		return;
	}
	e = range_reserve(c) == 0 ? append_entry(c->db) : NULL;
	if (!e) {
		diag_error(d, line, "out of memory");
		return;
	}
	*e = tmp;
	memcpy(e->service, service, strlen(service) + 1);
	e->file = c->file;
	e->line = line;
	c->db->nentries++;
	range_insert(c, c->db->nentries - 1);
	c->cur = e;
	c->cur_bad = 0;
}

/* append: 0 for a field given once, else the byte that joins repeated lines */
static int set_text(struct diag *d, unsigned line, const char *key, char **field,
		    const char *value, size_t max, char append)
{
	size_t old = *field ? strlen(*field) : 0;
	size_t add = strlen(value);
	char *s;

	if (*field && !append) {
		diag_error(d, line, "%s given twice for this entry", key);
		return -1;
	}
	if (old + 1 + add > max) {
		diag_error(d, line, "%s is longer than %zu bytes", key, max);
		return -1;
	}
	s = realloc(*field, old + add + 2);
	if (!s) {
		diag_error(d, line, "out of memory");
		return -1;
	}
	if (old)
		s[old++] = append;
	memcpy(s + old, value, add + 1);
	*field = s;
	return 0;
}

/* related and overlaps: lists of PORT[-PORT][/PROTO], given once per entry */
static void parse_refs(struct policy_entry *e, struct diag *d, unsigned line, const char *key,
		       char *rest, struct policy_port_ref *refs, uint8_t *n, unsigned max)
{
	char *word;

	if (*n) {
		diag_error(d, line, "%s given twice for this entry", key);
		return;
	}
	while ((word = textfile_word(&rest))) {
		if (*n == max) {
			diag_error(d, line, "more than %u %s ports", max, key);
			return;
		}
		if (parse_portspec(d, line, word, e->protos, &refs[*n]) < 0)
			return;
		(*n)++;
	}
}

static int valid_alias(const char *w)
{
	return policy_valid_name(w);
}

/* an absolute path, or an fnmatch(3) pattern of one, as /proc/PID/exe reads */
static int valid_served_by(const char *w)
{
	return w[0] == '/' && !strstr(w, "/../") && !strstr(w, "//");
}

/* a name (or pattern) without a slash: matched against base names */
static int valid_program(const char *w)
{
	return !strchr(w, '/') && w[0] != '-';
}

static int valid_option(const char *w)
{
	size_t i;

	if (w[0] != '-' || strlen(w) < 2)
		return 0;
	for (i = 1; w[i]; i++)
		if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z') ||
		      (w[i] >= '0' && w[i] <= '9') || w[i] == '-' || w[i] == '_'))
			return 0;
	return 1;
}

/* CVE-YYYY-NNNN with four or more digits, as the CVE program assigns them */
static int valid_cve(const char *w)
{
	size_t i, n = strlen(w);

	if (n < 13 || n > 20 || strncmp(w, "CVE-", 4) || w[8] != '-')
		return 0;
	for (i = 4; i < n; i++)
		if (i != 8 && (w[i] < '0' || w[i] > '9'))
			return 0;
	return (w[4] == '1' && w[5] == '9' && w[6] == '9') || w[4] == '2';
}

struct word_list {
	const char *key;
	size_t field;		/* offset of the char * in struct policy_entry */
	int (*valid)(const char *word);
	const char *expected;
};

static const struct word_list word_lists[] = {
	{ "alias", offsetof(struct policy_entry, aliases), valid_alias,
	  "a service name: letters, digits and ._+-" },
	{ "served-by", offsetof(struct policy_entry, served_by), valid_served_by,
	  "an absolute executable path or pattern, e.g. /usr/sbin/dovecot" },
	{ "program", offsetof(struct policy_entry, programs), valid_program,
	  "an executable name or pattern without a slash, e.g. jupyter-*" },
	{ "option", offsetof(struct policy_entry, options), valid_option,
	  "a command-line option, e.g. --inspect" },
	{ "cve", offsetof(struct policy_entry, cves), valid_cve,
	  "a CVE ID such as CVE-2021-44228" },
};

/* Returns 0 when key is not a word-list attribute. */
static int parse_word_list(struct policy_entry *e, struct diag *d, unsigned line,
			   const char *key, char *rest)
{
	const struct word_list *wl = NULL;
	char *word, **field;
	size_t i;

	for (i = 0; i < sizeof(word_lists) / sizeof(word_lists[0]); i++)
		if (!strcmp(key, word_lists[i].key))
			wl = &word_lists[i];
	if (!wl)
		return 0;
	field = (char **)((char *)e + wl->field);
	while ((word = textfile_word(&rest))) {
		if (strlen(word) > 200 || !wl->valid(word)) {
			diag_error(d, line, "%s: bad value \"%.40s\" (expected %s)", key, word,
				   wl->expected);
			return 1;
		}
		if (set_text(d, line, key, field, word, WORDS_MAX, ' ') < 0)
			return 1;
	}
	return 1;
}

/* listener lan-only|loopback-only: an executable path pattern as in
 * served-by, or a name pattern matched like program, optionally with an
 * argument the process must also have been given (NAME:ARG) */
static int valid_listener(const char *w)
{
	const char *colon = strchr(w, ':');

	if (w[0] == '/')
		return valid_served_by(w);
	if (w[0] == '-' || w[0] == ':' || (colon && !colon[1]))
		return 0;
	return !memchr(w, '/', colon ? (size_t)(colon - w) : strlen(w));
}

/* "listener POLICY PATTERN...": the port takes POLICY while every socket
 * of it that others could reach is held by a listener the patterns name
 * (see listenpolicy.c).  Lines with the same policy join.  A port opened
 * to everyone is decided by the executable's resolved path only, never by
 * a name a process can give itself. */
static void parse_listener(struct policy_entry *e, struct diag *d, unsigned line, char *rest)
{
	char *kind = textfile_word(&rest), *word, **field;
	uint8_t k;
	int any = 0;

	if (!kind || policy_kind_parse(kind, &k) < 0) {
		diag_error(d, line, "listener: expected a policy (loopback-only, lan-only or open), then who");
		return;
	}
	if (k == e->kind) {
		diag_error(d, line, "listener %s has no effect: the entry is %s already", kind, kind);
		return;
	}
	field = k == POLICY_OPEN ? &e->served_by : k == POLICY_LAN_ONLY ? &e->listen_lan
								       : &e->listen_loopback;
	while ((word = textfile_word(&rest))) {
		int ok = strlen(word) <= 200 &&
			 (k == POLICY_OPEN ? valid_served_by(word) : valid_listener(word));

		if (!ok) {
			diag_error(d, line, "listener: bad value \"%.40s\" (expected %s)", word,
				   k == POLICY_OPEN ? "an absolute executable path or pattern: a port "
				   "open to everyone is decided by the resolved executable" :
				   "an executable path, a name such as grafana-server, or NAME:ARG such as java:org.example.Main");
			return;
		}
		if (set_text(d, line, "listener", field, word, WORDS_MAX, ' ') < 0)
			return;
		any = 1;
	}
	if (!any)
		diag_error(d, line, "listener %s names no listener", kind);
}

static int has_via(const char *rest)
{
	const char *p = rest;

	for (;;) {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (!n)
			return 0;
		if (n == 3 && !strncmp(p, "via", 3))
			return 1;
		p += n;
	}
}

/* "cve CVE-... via PORT[/PROTO]...": flaws of this software that attackers
 * reach through other ports (the web server in front, a data plane) */
static void parse_cve_via(struct policy_entry *e, struct diag *d, unsigned line, char *rest)
{
	char text[VIA_MAX], *word;
	size_t len = 0;
	int ids = 0, ports = 0, after = 0;

	text[0] = '\0';
	while ((word = textfile_word(&rest))) {
		char spec[32];

		if (!after && !strcmp(word, "via")) {
			after = 1;
		} else if (!after) {
			if (strlen(word) > 20 || !valid_cve(word)) {
				diag_error(d, line, "cve: bad value \"%.40s\" (expected a CVE ID such as CVE-2021-44228)", word);
				return;
			}
			ids++;
		} else {
			if (e->nvia == POLICY_VIA_MAX) {
				diag_error(d, line, "more than %u via ports in this entry", POLICY_VIA_MAX);
				return;
			}
			snprintf(spec, sizeof(spec), "%s", word);
			if (strlen(word) >= sizeof(spec) ||
			    parse_portspec(d, line, spec, e->protos, &e->via[e->nvia]) < 0) {
				if (strlen(word) >= sizeof(spec))
					diag_error(d, line, "cve: bad port \"%.40s\" after via", word);
				return;
			}
			e->nvia++;
			ports++;
		}
		if (len + strlen(word) + 2 > sizeof(text)) {
			diag_error(d, line, "cve via line is longer than %d bytes", VIA_MAX - 1);
			return;
		}
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s", len ? " " : "", word);
	}
	if (!ids || !ports) {
		diag_error(d, line, "cve: expected \"CVE-... via PORT/PROTO...\" (the port the flaw is reached through)");
		return;
	}
	set_text(d, line, "cve", &e->cves_via, text, VIA_MAX * 4, '\n');
}

static int valid_date(const char *w)
{
	size_t i, n = strlen(w);

	if (n != 7 && n != 10)
		return 0;
	for (i = 0; i < n; i++) {
		int dash = i == 4 || i == 7;

		if (dash ? w[i] != '-' : (w[i] < '0' || w[i] > '9'))
			return 0;
	}
	return (w[5] == '0' && w[6] >= '1') || (w[5] == '1' && w[6] <= '2');
}

/* "YYYY-MM[-DD] what happened": one dated public event a line */
static void parse_incident(struct policy_entry *e, struct diag *d, unsigned line, char *rest)
{
	char *date = textfile_word(&rest);
	char text[INCIDENT_MAX];

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (!date || !valid_date(date) || !*rest) {
		diag_error(d, line, "incident: expected \"YYYY-MM[-DD] what happened\"");
		return;
	}
	if ((size_t)snprintf(text, sizeof(text), "%s %s", date, rest) >= sizeof(text)) {
		diag_error(d, line, "incident is longer than %d bytes", INCIDENT_MAX - 1);
		return;
	}
	set_text(d, line, "incident", &e->incidents, text, INCIDENT_MAX, '\n');
}

int policy_source_parse(const char *word, struct config_net *net)
{
	uint8_t raw[16];
	char addr[INET6_ADDRSTRLEN + 1];
	size_t n = strcspn(word, "/");

	if (config_parse_net(word, net) < 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, word, n);
	addr[n] = '\0';
	if (inet_pton(net->family, addr, raw) != 1)
		return -EINVAL;
	return memcmp(raw, net->addr, netaddr_len(net->family)) ? -EDOM : 0;
}

static int parse_source(struct diag *d, unsigned line, const char *word, struct config_net *net)
{
	int ret = policy_source_parse(word, net);

	if (ret == -EDOM) {
		char text[INET6_ADDRSTRLEN + 8];

		policy_net_text(net, text, sizeof(text));
		diag_error(d, line, "from: \"%.50s\" has host bits set (did you mean %s?)", word, text);
	} else if (ret < 0) {
		diag_error(d, line, "from: bad network \"%.50s\" (expected ADDRESS or ADDRESS/PREFIX, "
			   "e.g. 203.0.113.0/24)", word);
	}
	return ret;
}

/* from: networks admitted beyond the policy; repeated lines add to the list */
static void parse_from(struct policy_entry *e, struct diag *d, unsigned line, char *rest)
{
	char *word;

	while ((word = textfile_word(&rest))) {
		struct policy_source *grown;

		if (e->nsources == POLICY_SOURCES_MAX) {
			diag_error(d, line, "from: more than %d networks for one entry (write a wider "
				   "network)", POLICY_SOURCES_MAX);
			return;
		}
		grown = realloc(e->sources, (e->nsources + 1) * sizeof(*grown));
		if (!grown) {
			diag_error(d, line, "out of memory");
			return;
		}
		e->sources = grown;
		if (parse_source(d, line, word, &grown[e->nsources].net) < 0)
			return;
		grown[e->nsources++].line = line;
	}
}

static void parse_attribute(struct parse_ctx *c, struct diag *d, unsigned line, char *rest)
{
	char *key = textfile_word(&rest);
	struct policy_entry *e = c->cur;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (!e) {
		if (!c->cur_bad)
			diag_error(d, line, "indented line outside an entry");
		return;
	}
	if (!*rest) {
		diag_error(d, line, "%s has no value", key);
		return;
	}
	if (!strcmp(key, "title"))
		set_text(d, line, key, &e->title, rest, TITLE_MAX, 0);
	else if (!strcmp(key, "software"))
		set_text(d, line, key, &e->software, rest, SOFTWARE_MAX, 0);
	else if (!strcmp(key, "about"))
		set_text(d, line, key, &e->about, rest, ABOUT_MAX, ' ');
	else if (!strcmp(key, "related"))
		parse_refs(e, d, line, key, rest, e->related, &e->nrelated, POLICY_RELATED_MAX);
	else if (!strcmp(key, "overlaps"))
		parse_refs(e, d, line, key, rest, e->overlaps, &e->noverlaps, POLICY_OVERLAPS_MAX);
	else if (!strcmp(key, "incident"))
		parse_incident(e, d, line, rest);
	else if (!strcmp(key, "default-bind"))
		set_text(d, line, key, &e->default_bind, rest, BIND_MAX, ' ');
	else if (!strcmp(key, "listener"))
		parse_listener(e, d, line, rest);
	else if (!strcmp(key, "cve") && has_via(rest))
		parse_cve_via(e, d, line, rest);
	else if (!strcmp(key, "from"))
		parse_from(e, d, line, rest);
	else if (!strcmp(key, "expires"))
		expiry_attribute(e, d, line, rest);
	else if (!parse_word_list(e, d, line, key, rest))
		diag_error(d, line, "unknown attribute \"%.40s\" (expected title, related, software, about, "
			   "overlaps, alias, served-by, listener, program, option, cve, incident, "
			   "default-bind, from or expires)", key);
}

static void parse_line(void *ctx, struct diag *d, unsigned line, char *text)
{
	struct parse_ctx *c = ctx;
	char *p = text;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return;
	if (p == text)
		parse_header(c, d, line, text);
	else
		parse_attribute(c, d, line, p);
}

/* What can only be judged once an entry is complete. */
static void check_entries(const struct parse_ctx *c, struct diag *d)
{
	unsigned i;

	for (i = c->first; i < c->db->nentries; i++) {
		const struct policy_entry *e = &c->db->entries[i];

		if (e->options && !e->programs)
			diag_error(d, e->line, "%s: option needs program (the software whose option names the port)",
				   e->service);
		if (e->served_by && e->kind == POLICY_OPEN)
			diag_error(d, e->line, "%s: served-by on an open entry has no effect", e->service);
		if (e->nsources && e->kind == POLICY_OPEN)
			diag_error(d, e->sources[0].line, "%s: from on an open entry has no effect (open "
				   "admits every source; guard it lan-only or loopback-only)", e->service);
	}
}

static const char *remember_file(struct policy_db *db, const char *name)
{
	char **files = realloc(db->files, (db->nfiles + 1) * sizeof(*files));

	if (!files)
		return NULL;
	db->files = files;
	files[db->nfiles] = strdup(name);
	if (!files[db->nfiles])
		return NULL;
	return files[db->nfiles++];
}

unsigned policy_db_load_buf(struct policy_db *db, const char *name, char *buf,
			    size_t len, FILE *err)
{
	struct diag d = { .out = err, .file = name };
	struct parse_ctx c = { .db = db, .first = db->nentries };

	c.file = remember_file(db, name);
	if (!c.file) {
		diag_error(&d, 0, "out of memory");
		return d.errors;
	}
	textfile_lines(&d, buf, len, parse_line, &c);
	free(c.by_range);
	check_entries(&c, &d);
	diag_finish(&d);
	return d.errors;
}

static unsigned load_db(void *db, const char *name, char *buf, size_t len, FILE *err)
{
	return policy_db_load_buf(db, name, buf, len, err);
}

unsigned policy_db_load_file(struct policy_db *db, const char *path, FILE *err)
{
	return textfile_load(path, 0, err, load_db, db);
}
