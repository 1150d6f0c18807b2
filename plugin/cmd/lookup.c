// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden lookup`: one port's database entry, Port-Authority style. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lookup.h"
#include "packet.h"
#include "portspec.h"
#include "safetext.h"

#define TEXT_SHOWN	1024	/* one escaped field of a page */

#define WRAP_COLUMNS 72
#define LABEL_COLUMNS 12	/* "  software: " */

static const char *kind_meaning(enum policy_kind kind)
{
	switch (kind) {
	case POLICY_LOOPBACK_ONLY:
		return "reachable only from this host";
	case POLICY_LAN_ONLY:
		return "reachable from this host and the local network";
	case POLICY_OPEN:
		break;
	}
	return "not guarded";
}

/* The name of a port: the database's, else the system's services file. */
static const char *port_name(const struct policy_db *db, int proto, uint16_t port)
{
	const struct policy_entry *e = policy_lookup(db, proto, port);
	struct servent *se;

	if (e)
		return e->service;
	se = getservbyport(htons(port), packet_l4_name((uint8_t)proto));
	return se ? se->s_name : NULL;
}

static int related_proto(uint8_t protos)
{
	return (protos & POLICY_TCP) ? IPPROTO_TCP : IPPROTO_UDP;
}

static void format_ref(char *out, size_t cap, const struct policy_port_ref *r)
{
	if (r->lo == r->hi)
		snprintf(out, cap, "%u/%s", r->lo, policy_protos_name(r->protos));
	else
		snprintf(out, cap, "%u-%u/%s", r->lo, r->hi, policy_protos_name(r->protos));
}

/* Words of raw from on, escaped, at most width columns a line, each line
 * after the first indented by indent columns. */
static void print_wrapped_from(FILE *out, const char *raw, int indent, int width)
{
	/* every byte escapes to at most four */
	size_t cap = strlen(raw) * 4 + 1;
	char *text = malloc(cap);
	const char *p;
	int first = 1;

	if (!text)
		return;
	safetext(text, cap, raw);
	p = text;

	while (*p) {
		const char *end = p, *brk = NULL;

		while (*end && *end != '\n' && end - p < width) {
			if (*end == ' ')
				brk = end;
			end++;
		}
		if (*end && *end != '\n' && brk)
			end = brk;
		fprintf(out, "%*s%.*s\n", first ? 0 : indent, "", (int)(end - p), p);
		first = 0;
		p = end;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	free(text);
}

static void print_wrapped(FILE *out, const char *text)
{
	fputs("  ", out);
	print_wrapped_from(out, text, 2, WRAP_COLUMNS);
}

/* "  label:   value", long values wrapped under the value column */
static void print_field(FILE *out, const char *label, const char *value)
{
	if (!value)
		return;
	fprintf(out, "  %-*s", LABEL_COLUMNS - 2, label);
	print_wrapped_from(out, value, LABEL_COLUMNS, WRAP_COLUMNS + 2 - LABEL_COLUMNS);
}

/* one line per dated event, each wrapped on its own */
static void print_incidents(FILE *out, const char *incidents)
{
	const char *p = incidents;
	char line[1600];

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		print_field(out, p == incidents ? "incident:" : "", line);
		p = nl ? nl + 1 : NULL;
	}
}

/* "listener: lan-only while held by grafana grafana-server" per policy */
static void print_listeners(FILE *out, const struct policy_entry *e)
{
	const struct {
		enum policy_kind kind;
		const char *words;
	} lines[] = {
		{ POLICY_OPEN, e->served_by },
		{ POLICY_LAN_ONLY, e->listen_lan },
		{ POLICY_LOOPBACK_ONLY, e->listen_loopback },
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *text;
		size_t cap;

		if (!lines[i].words)
			continue;
		cap = strlen(lines[i].words) + 64;
		text = malloc(cap);
		if (!text)
			return;
		snprintf(text, cap, "%s while held by %s", policy_kind_name(lines[i].kind),
			 lines[i].words);
		print_field(out, "listener:", text);
		free(text);
	}
}

/* "CVE-... via PORT..." lines: flaws reached through another port */
static void print_cves_via(FILE *out, const struct policy_entry *e)
{
	const char *p = e->cves_via;
	char line[1200];

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *via = strstr(p, " via ");

		if (!via || via > p + n || n >= sizeof(line) - 32)
			break;
		snprintf(line, sizeof(line), "%.*s, reached through %.*s", (int)(via - p), p,
			 (int)(p + n - via - 5), via + 5);
		print_field(out, !e->cves && p == e->cves_via ? "cve:" : "", line);
		p = nl ? nl + 1 : NULL;
	}
}

/* `from` networks as one space-separated list, or NULL when none */
static const char *sources_text(const struct policy_entry *e, char *out, size_t cap)
{
	size_t n = 0;
	unsigned i;

	if (!e->nsources)
		return NULL;
	out[0] = '\0';
	for (i = 0; i < e->nsources && n + 1 < cap; i++) {
		char net[64];

		policy_net_text(&e->sources[i].net, net, sizeof(net));
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "", net);
	}
	return out;
}

/* want: the protocols asked for; one page serves both when the entry does */
static void print_page(FILE *out, const struct policy_db *db, const struct policy_entry *e,
		       uint16_t port, int want)
{
	const char *protos = policy_protos_name((uint8_t)(e->protos & want));
	char text[TEXT_SHOWN], from[POLICY_SOURCES_MAX * 44];

	if (e->lo == e->hi)
		fprintf(out, "%u/%s  %s", port, protos, safetext(text, sizeof(text), e->service));
	else
		fprintf(out, "%u/%s  %s  (entry %u-%u)", port, protos,
			safetext(text, sizeof(text), e->service), e->lo, e->hi);
	fprintf(out, "%s%s\n", e->title ? " - " : "", safetext(text, sizeof(text), e->title));
	fprintf(out, "  policy:   %s (%s)\n", policy_kind_name(e->kind), kind_meaning(e->kind));
	print_field(out, "from:", sources_text(e, from, sizeof(from)));
	if (e->nrelated) {
		fprintf(out, "  related:  ");
		for (unsigned i = 0; i < e->nrelated; i++) {
			const struct policy_port_ref *r = &e->related[i];
			const char *name = port_name(db, related_proto(r->protos), r->lo);
			char ref[32];

			format_ref(ref, sizeof(ref), r);
			fprintf(out, "%s%s%s%s%s", i ? ", " : "", ref, name ? " (" : "",
				safetext(text, sizeof(text), name), name ? ")" : "");
		}
		fputc('\n', out);
	}
	print_field(out, "alias:", e->aliases);
	print_field(out, "software:", e->software);
	print_field(out, "binds:", e->default_bind);
	print_listeners(out, e);
	print_field(out, "program:", e->programs);
	print_field(out, "option:", e->options);
	print_field(out, "cve:", e->cves);
	print_cves_via(out, e);
	print_incidents(out, e->incidents);
	fprintf(out, "  source:   %s:%u\n", safetext(text, sizeof(text), e->file), e->line);
	if (e->about) {
		fputc('\n', out);
		print_wrapped(out, e->about);
	}
}

/* A port no entry describes: say so, with the name netbase gives it. */
static void print_unknown(FILE *out, const struct policy_db *db, int proto, uint16_t port, int json)
{
	const char *name = port_name(db, proto, port);
	char buf[512];
	struct json j;

	if (!json) {
		char text[TEXT_SHOWN];

		fprintf(out, "%u/%s%s%s\n  policy:   open (not guarded)\n", port, packet_l4_name((uint8_t)proto),
			name ? "  " : "", name ? safetext(text, sizeof(text), name) : "");
		if (name)
			fprintf(out, "  not in the database; netbase calls it %s\n",
				safetext(text, sizeof(text), name));
		else
			fprintf(out, "  not in the database; netbase has no name for it either\n");
		return;
	}
	json_begin(&j, buf, sizeof(buf));
	json_uint(&j, "port", port);
	json_str(&j, "proto", packet_l4_name((uint8_t)proto));
	json_str(&j, "service", name ? name : "");
	json_str(&j, "policy", "open");
	json_raw_bool(&j, "described", 0);
	json_str(&j, "source", name ? "services" : "");
	if (json_end(&j) > 0)
		fputs(buf, out);
}

/* a word list (sep ' ') or a list of lines (sep '\n') as a JSON array */
static void json_list(struct json *j, const char *key, const char *text, char sep)
{
	const char seps[2] = { sep, '\0' };
	const char *p = text;
	char item[1600];

	json_open(j, key, '[');
	while (p && *p) {
		size_t n = strcspn(p, seps);

		if (n < sizeof(item)) {
			memcpy(item, p, n);
			item[n] = '\0';
			json_str(j, NULL, item);
		}
		p += n;
		p += strspn(p, seps);
	}
	json_close(j, ']');
}

static void print_json(FILE *out, const struct policy_db *db, const struct policy_entry *e,
		       int proto, uint16_t port)
{
	char buf[16384], src[300], from[POLICY_SOURCES_MAX * 44];
	struct json j;
	unsigned i;

	json_begin(&j, buf, sizeof(buf));
	json_uint(&j, "port", port);
	json_str(&j, "proto", packet_l4_name((uint8_t)proto));
	json_uint(&j, "range_low", e->lo);
	json_uint(&j, "range_high", e->hi);
	json_str(&j, "service", e->service);
	json_str(&j, "title", e->title ? e->title : "");
	json_str(&j, "policy", policy_kind_name(e->kind));
	json_open(&j, "related", '[');
	for (i = 0; i < e->nrelated; i++) {
		const struct policy_port_ref *r = &e->related[i];
		const char *name = port_name(db, related_proto(r->protos), r->lo);
		char ref[32];

		format_ref(ref, sizeof(ref), r);
		json_open(&j, NULL, '{');
		json_str(&j, "port", ref);
		json_str(&j, "service", name ? name : "");
		json_close(&j, '}');
	}
	json_close(&j, ']');
	snprintf(src, sizeof(src), "%s:%u", e->file, e->line);
	json_str(&j, "software", e->software ? e->software : "");
	json_str(&j, "about", e->about ? e->about : "");
	json_list(&j, "alias", e->aliases, ' ');
	json_str(&j, "default_bind", e->default_bind ? e->default_bind : "");
	json_list(&j, "served_by", e->served_by, ' ');
	json_open(&j, "listener", '{');
	json_list(&j, "open", e->served_by, ' ');
	json_list(&j, "lan-only", e->listen_lan, ' ');
	json_list(&j, "loopback-only", e->listen_loopback, ' ');
	json_close(&j, '}');
	json_list(&j, "program", e->programs, ' ');
	json_list(&j, "option", e->options, ' ');
	json_list(&j, "cve", e->cves, ' ');
	json_list(&j, "cve_via", e->cves_via, '\n');
	json_list(&j, "incident", e->incidents, '\n');
	json_list(&j, "from", sources_text(e, from, sizeof(from)), ' ');
	json_raw_bool(&j, "described", 1);
	json_str(&j, "source", src);
	if (json_end(&j) > 0)
		fputs(buf, out);
}

/* "/tcp", "/udp" or nothing */
static int parse_proto_suffix(const char *s, int *protos)
{
	if (!*s)
		*protos = POLICY_BOTH;
	else if (!strcmp(s, "/tcp"))
		*protos = POLICY_TCP;
	else if (!strcmp(s, "/udp"))
		*protos = POLICY_UDP;
	else
		return -EINVAL;
	return 0;
}

static int parse_spec(const char *spec, uint16_t *port, int *protos)
{
	char *end;
	unsigned long v;

	if (*spec < '0' || *spec > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(spec, &end, 10);
	if (errno || v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return parse_proto_suffix(end, protos);
}

static int print_port(FILE *out, const struct policy_db *db, uint16_t port, int want, int json)
{
	static const int protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	const struct policy_entry *shown = NULL;
	int i, pages = 0;

	for (i = 0; i < 2; i++) {
		const struct policy_entry *e;

		if (!(want & (i ? POLICY_UDP : POLICY_TCP)))
			continue;
		e = policy_lookup(db, protos[i], port);
		/* an entry for both protocols is one page, not two */
		if (e && e == shown && !json)
			continue;
		/* without a protocol, skip the side nothing is known about */
		if (!e && want == POLICY_BOTH && (shown || policy_lookup(db, protos[1 - i], port)))
			continue;
		if (!json && pages++)
			fputc('\n', out);
		if (!e)
			print_unknown(out, db, protos[i], port, json);
		else if (json)
			print_json(out, db, e, protos[i], port);
		else
			print_page(out, db, e, port, want);
		shown = e;
	}
	return 0;
}

/* The entry that governs e's own range now: a later file may override it
 * with an entry of the same range. */
static const struct policy_entry *effective(const struct policy_db *db,
					    const struct policy_entry *e, int want)
{
	int proto = (e->protos & want & POLICY_TCP) ? IPPROTO_TCP : IPPROTO_UDP;
	const struct policy_entry *g = policy_lookup(db, proto, e->lo);

	return g && g->lo == e->lo && g->hi == e->hi ? g : e;
}

static void print_entry(FILE *out, const struct policy_db *db, const struct policy_entry *e,
			int want, int json)
{
	if (!json)
		print_page(out, db, e, e->lo, want);
	if (json && (want & POLICY_TCP))
		print_json(out, db, e, IPPROTO_TCP, e->lo);
	if (json && (want & POLICY_UDP))
		print_json(out, db, e, IPPROTO_UDP, e->lo);
}

/* Every entry named so (service or alias, any case); else the port the
 * system's services file gives the name.  -ENOENT when neither knows it. */
static int print_name(FILE *out, const struct policy_db *db, const char *name, int want, int json)
{
	struct portspec specs[PORTSPEC_MAX];
	struct servent *se;
	int i, n, pages = 0;

	n = portspec_resolve(db, name, specs, PORTSPEC_MAX);
	for (i = 0; i < n; i++) {
		const struct policy_entry *e = specs[i].entry;

		if (!(e->protos & want))
			continue;
		if (!json && pages)
			fputc('\n', out);
		print_entry(out, db, effective(db, e, want), e->protos & want, json);
		pages++;
	}
	if (pages)
		return 0;
	se = getservbyname(name, want == POLICY_BOTH ? NULL : policy_protos_name((uint8_t)want));
	if (!se)
		return -ENOENT;
	return print_port(out, db, ntohs((uint16_t)se->s_port), want, json);
}

int lookup_print(FILE *out, const struct policy_db *db, const char *spec, int json)
{
	char name[POLICY_SERVICE_MAX];
	const char *slash;
	uint16_t port;
	size_t n;
	int want;

	if (parse_spec(spec, &port, &want) == 0)
		return print_port(out, db, port, want, json);
	if (*spec >= '0' && *spec <= '9')
		return -EINVAL;
	slash = strchr(spec, '/');
	n = slash ? (size_t)(slash - spec) : strlen(spec);
	if (n == 0 || n >= sizeof(name) || parse_proto_suffix(spec + n, &want) < 0)
		return -EINVAL;
	memcpy(name, spec, n);
	name[n] = '\0';
	if (!policy_valid_name(name))
		return -EINVAL;
	return print_name(out, db, name, want, json);
}
