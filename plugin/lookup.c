// SPDX-License-Identifier: GPL-2.0-or-later
/* `portwarden lookup`: one port's database entry, Port-Authority style. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lookup.h"
#include "safetext.h"

#define TEXT_SHOWN	1024	/* one escaped field of a page */

#define WRAP_COLUMNS 72

static const char *proto_name(int proto)
{
	return proto == IPPROTO_TCP ? "tcp" : "udp";
}

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
	se = getservbyport(htons(port), proto_name(proto));
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

static void print_wrapped(FILE *out, const char *raw)
{
	/* every byte escapes to at most four */
	size_t cap = strlen(raw) * 4 + 1;
	char *text = malloc(cap);
	const char *p;

	if (!text)
		return;
	safetext(text, cap, raw);
	p = text;

	while (*p) {
		const char *end = p, *brk = NULL;

		while (*end && end - p < WRAP_COLUMNS) {
			if (*end == ' ')
				brk = end;
			end++;
		}
		if (*end && brk)
			end = brk;
		fprintf(out, "  %.*s\n", (int)(end - p), p);
		p = end;
		while (*p == ' ')
			p++;
	}
	free(text);
}

/* want: the protocols asked for; one page serves both when the entry does */
static void print_page(FILE *out, const struct policy_db *db, const struct policy_entry *e,
		       uint16_t port, int want)
{
	const char *protos = policy_protos_name((uint8_t)(e->protos & want));
	char text[TEXT_SHOWN];

	if (e->lo == e->hi)
		fprintf(out, "%u/%s  %s", port, protos, safetext(text, sizeof(text), e->service));
	else
		fprintf(out, "%u/%s  %s  (entry %u-%u)", port, protos,
			safetext(text, sizeof(text), e->service), e->lo, e->hi);
	fprintf(out, "%s%s\n", e->title ? " - " : "", safetext(text, sizeof(text), e->title));
	fprintf(out, "  policy:   %s (%s)\n", policy_kind_name(e->kind), kind_meaning(e->kind));
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
	if (e->software)
		fprintf(out, "  software: %s\n", safetext(text, sizeof(text), e->software));
	fprintf(out, "  source:   %s:%u\n", safetext(text, sizeof(text), e->file), e->line);
	if (e->about) {
		fputc('\n', out);
		print_wrapped(out, e->about);
	}
}

static void print_unknown(FILE *out, const struct policy_db *db, int proto, uint16_t port, int json)
{
	const char *name = port_name(db, proto, port);
	char buf[512];
	struct json j;

	if (!json) {
		char text[TEXT_SHOWN];

		fprintf(out, "%u/%s  %s\n  policy:   open (no database entry; not guarded)\n",
			port, proto_name(proto), name ? safetext(text, sizeof(text), name) : "(unknown)");
		if (name)
			fprintf(out, "  source:   system services database\n");
		return;
	}
	json_begin(&j, buf, sizeof(buf));
	json_uint(&j, "port", port);
	json_str(&j, "proto", proto_name(proto));
	json_str(&j, "service", name ? name : "");
	json_str(&j, "policy", "open");
	json_str(&j, "source", name ? "services" : "");
	if (json_end(&j) > 0)
		fputs(buf, out);
}

static void print_json(FILE *out, const struct policy_db *db, const struct policy_entry *e,
		       int proto, uint16_t port)
{
	char buf[8192], src[300];
	struct json j;
	unsigned i;

	json_begin(&j, buf, sizeof(buf));
	json_uint(&j, "port", port);
	json_str(&j, "proto", proto_name(proto));
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
	json_str(&j, "source", src);
	if (json_end(&j) > 0)
		fputs(buf, out);
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
	if (!*end)
		*protos = POLICY_BOTH;
	else if (!strcmp(end, "/tcp"))
		*protos = POLICY_TCP;
	else if (!strcmp(end, "/udp"))
		*protos = POLICY_UDP;
	else
		return -EINVAL;
	return 0;
}

int lookup_print(FILE *out, const struct policy_db *db, const char *spec, int json)
{
	static const int protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	const struct policy_entry *shown = NULL;
	int want, i, pages = 0;
	uint16_t port;

	if (parse_spec(spec, &port, &want) < 0)
		return -EINVAL;
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
