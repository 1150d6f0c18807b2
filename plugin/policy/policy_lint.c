// SPDX-License-Identifier: GPL-2.0-or-later
/* Checks across entries of a loaded policy database.  The parser judges one
 * entry at a time and refuses what cannot work; these findings are about a
 * database that works but misleads its reader. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "policy_lint.h"

static void finding(FILE *out, unsigned *n, const struct policy_entry *e, const char *what)
{
	fprintf(out, "%s:%u: %s: %s\n", e->file, e->line, e->service, what);
	(*n)++;
}

static void ref_text(char *out, size_t cap, uint16_t lo, uint16_t hi, uint8_t protos)
{
	if (lo == hi)
		snprintf(out, cap, "%u/%s", lo, policy_protos_name(protos));
	else
		snprintf(out, cap, "%u-%u/%s", lo, hi, policy_protos_name(protos));
}

static void lint_text(const struct policy_entry *e, FILE *out, unsigned *n)
{
	size_t len = e->about ? strlen(e->about) : 0;

	if (!e->title)
		finding(out, n, e, "no title");
	if (!len) {
		finding(out, n, e, "no about text");
		return;
	}
	if (e->kind != POLICY_OPEN && len < POLICY_LINT_ABOUT_MIN) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "about text of a guarded entry is %zu bytes, want at least %d (what listens, where, what an outsider gains, what to do)",
			 len, POLICY_LINT_ABOUT_MIN);
		finding(out, n, e, msg);
	}
}

/* every protocol a related reference names must have an entry at its port */
static void lint_related(const struct policy_db *db, const struct policy_entry *e, FILE *out,
			 unsigned *n)
{
	char msg[96], ref[32];
	unsigned i;

	for (i = 0; i < e->nrelated; i++) {
		const struct policy_port_ref *r = &e->related[i];
		int tcp_missing = (r->protos & POLICY_TCP) && !policy_lookup(db, IPPROTO_TCP, r->lo);
		int udp_missing = (r->protos & POLICY_UDP) && !policy_lookup(db, IPPROTO_UDP, r->lo);

		if (!tcp_missing && !udp_missing)
			continue;
		ref_text(ref, sizeof(ref), r->lo, r->hi,
			 (uint8_t)((tcp_missing ? POLICY_TCP : 0) | (udp_missing ? POLICY_UDP : 0)));
		snprintf(msg, sizeof(msg), "related %s: no entry describes it", ref);
		finding(out, n, e, msg);
	}
}

static int ranges_meet(const struct policy_entry *a, const struct policy_entry *b)
{
	return a->file == b->file && (a->protos & b->protos) && a->lo <= b->hi && b->lo <= a->hi;
}

static int declares(const struct policy_entry *e, const struct policy_entry *other)
{
	unsigned i;

	for (i = 0; i < e->noverlaps; i++) {
		const struct policy_port_ref *r = &e->overlaps[i];

		if (r->lo == other->lo && r->hi == other->hi && (r->protos & other->protos))
			return 1;
	}
	return 0;
}

/* Two entries of one file covering the same port: the narrower silently
 * wins, which is right only when one of them says it means to. */
static void lint_overlaps(const struct policy_db *db, unsigned i, FILE *out, unsigned *n)
{
	const struct policy_entry *e = &db->entries[i];
	char msg[256], ref[32];
	unsigned j;

	for (j = 0; j < i; j++) {
		const struct policy_entry *o = &db->entries[j];

		if (!ranges_meet(e, o) || declares(e, o) || declares(o, e))
			continue;
		ref_text(ref, sizeof(ref), o->lo, o->hi, o->protos);
		snprintf(msg, sizeof(msg),
			 "overlaps %s (%s, line %u) without saying so: add \"overlaps %s\" and say why",
			 ref, o->service, o->line, ref);
		finding(out, n, e, msg);
	}
}

/* an overlaps line that names no entry it meets is stale */
static void lint_declared(const struct policy_db *db, const struct policy_entry *e, FILE *out,
			  unsigned *n)
{
	char msg[96], ref[32];
	unsigned i, j;

	for (i = 0; i < e->noverlaps; i++) {
		const struct policy_port_ref *r = &e->overlaps[i];
		int found = 0;

		for (j = 0; j < db->nentries && !found; j++) {
			const struct policy_entry *o = &db->entries[j];

			found = o != e && ranges_meet(e, o) && o->lo == r->lo && o->hi == r->hi &&
				(o->protos & r->protos);
		}
		if (found)
			continue;
		ref_text(ref, sizeof(ref), r->lo, r->hi, r->protos);
		snprintf(msg, sizeof(msg), "overlaps %s: no entry of this file has that range", ref);
		finding(out, n, e, msg);
	}
}

/* Does the space-separated list hold word, w bytes long? */
static int list_has(const char *list, const char *word, size_t w)
{
	const char *p = list;

	while (p && *p) {
		size_t n;

		p += strspn(p, " \n");
		n = strcspn(p, " \n");
		if (n == w && !strncmp(p, word, w))
			return 1;
		p += n;
	}
	return 0;
}

/* A word twice in one list (two lines saying the same), or in two of the
 * listener lists (two policies for one listener), or a CVE both on this
 * port and through another. */
static void lint_repeats(const struct policy_entry *e, FILE *out, unsigned *n)
{
	const struct {
		const char *key, *list;
	} lists[] = {
		{ "alias", e->aliases }, { "listener open", e->served_by },
		{ "listener lan-only", e->listen_lan }, { "listener loopback-only", e->listen_loopback },
		{ "program", e->programs }, { "option", e->options }, { "cve", e->cves },
	};
	size_t i, j;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *p = lists[i].list;

		while (p && *p) {
			size_t w;
			char msg[160];

			p += strspn(p, " ");
			w = strcspn(p, " ");
			if (!w)
				break;
			if (list_has(p + w, p, w)) {
				snprintf(msg, sizeof(msg), "%s: \"%.*s\" given twice", lists[i].key,
					 (int)(w > 60 ? 60 : w), p);
				finding(out, n, e, msg);
			}
			/* listener lists are 1-3, the same word in a later one */
			for (j = i + 1; j < 4 && i >= 1 && i < 4; j++)
				if (list_has(lists[j].list, p, w)) {
					snprintf(msg, sizeof(msg), "\"%.*s\" is in %s and in %s",
						 (int)(w > 60 ? 60 : w), p, lists[i].key, lists[j].key);
					finding(out, n, e, msg);
				}
			if (i == 6 && list_has(e->cves_via, p, w)) {
				snprintf(msg, sizeof(msg), "cve %.*s is given for this port and via another",
					 (int)(w > 30 ? 30 : w), p);
				finding(out, n, e, msg);
			}
			p += w;
		}
	}
}

/* every port a "cve ... via" line names has an entry, and is another port */
static void lint_via(const struct policy_db *db, const struct policy_entry *e, FILE *out,
		     unsigned *n)
{
	char msg[128], ref[32];
	unsigned i;

	for (i = 0; i < e->nvia; i++) {
		const struct policy_port_ref *r = &e->via[i];
		int tcp_missing = (r->protos & POLICY_TCP) && !policy_lookup(db, IPPROTO_TCP, r->lo);
		int udp_missing = (r->protos & POLICY_UDP) && !policy_lookup(db, IPPROTO_UDP, r->lo);

		ref_text(ref, sizeof(ref), r->lo, r->hi, r->protos);
		if (r->lo <= e->hi && e->lo <= r->hi && (r->protos & e->protos)) {
			snprintf(msg, sizeof(msg), "cve via %s: that is this entry's own port (write cve without via)", ref);
			finding(out, n, e, msg);
		} else if (tcp_missing || udp_missing) {
			snprintf(msg, sizeof(msg), "cve via %s: no entry describes it", ref);
			finding(out, n, e, msg);
		}
	}
}

/* "vnc-http-1" -> "vnc-http": instances of one service numbered in a row */
static size_t family_len(const char *service)
{
	size_t n = strlen(service), i = n;

	while (i > 0 && service[i - 1] >= '0' && service[i - 1] <= '9')
		i--;
	return i > 1 && i < n && service[i - 1] == '-' ? i - 1 : n;
}

static int same_family(const struct policy_entry *a, const struct policy_entry *b)
{
	size_t n = family_len(a->service);

	return n == family_len(b->service) && !strncmp(a->service, b->service, n);
}

static void neighbour_finding(FILE *out, unsigned *n, const struct policy_entry *e, uint16_t port,
			      int proto, const char *why)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%u/%s has no entry, but %s", port,
		 proto == IPPROTO_TCP ? "tcp" : "udp", why);
	finding(out, n, e, msg);
}

/* Does the name end in an instance number ("hazelcast-2"), not in its own
 * port ("dynamic-49154")? */
static int numbered_instance(const struct policy_entry *e)
{
	size_t n = family_len(e->service);

	return n < strlen(e->service) && strtoul(e->service + n + 1, NULL, 10) != e->lo;
}

static int guarded(const struct policy_entry *e)
{
	return e->kind != POLICY_OPEN;
}

/* Ports of a service numbered in a row with no entry: a gap inside a row of
 * at least three (32768, 32769, -, 32771), or the third port of a guarded
 * row of instances whose first two are described (vnc-http, vnc-http-1 on
 * 5800, 5801: the next display takes 5802).  A row of three or more says
 * where it stops by itself. */
static void lint_rows(const struct policy_db *db, int proto, FILE *out, unsigned *n)
{
	unsigned p;

	for (p = 3; p < 65534; p++) {
		const struct policy_entry *a, *b, *c, *d, *z;

		if (policy_lookup(db, proto, (uint16_t)p))
			continue;
		z = p > 3 ? policy_lookup(db, proto, (uint16_t)(p - 3)) : NULL;
		c = policy_lookup(db, proto, (uint16_t)(p - 2));
		a = policy_lookup(db, proto, (uint16_t)(p - 1));
		b = policy_lookup(db, proto, (uint16_t)(p + 1));
		d = policy_lookup(db, proto, (uint16_t)(p + 2));
		if (a && b && a != b && same_family(a, b) &&
		    ((c && c != a && same_family(a, c)) || (d && d != b && same_family(b, d))))
			neighbour_finding(out, n, a, (uint16_t)p, proto,
					  "the ports on both sides belong to the same service");
		else if (a && c && a != c && same_family(a, c) && guarded(a) && guarded(c) &&
			 numbered_instance(a) && (!z || z == c || !same_family(z, c)))
			neighbour_finding(out, n, a, (uint16_t)p, proto,
					  "it is the next port of a guarded service numbered in a row");
	}
}

static int is_loopback_net(const struct config_net *net)
{
	static const uint8_t v6[16] = { [15] = 1 };

	if (net->family == AF_INET)
		return net->addr[0] == 127 && net->prefix >= 8;
	return net->prefix == 128 && !memcmp(net->addr, v6, 16);
}

/* from: a network that admits everyone, one that another of the entry
 * already holds, or the host's own loopback, which is always admitted */
static void lint_sources(const struct policy_entry *e, FILE *out, unsigned *n)
{
	unsigned i, j;

	for (i = 0; i < e->nsources; i++) {
		const struct policy_source *s = &e->sources[i], *best;
		char text[64], msg[192] = "";

		policy_net_text(&s->net, text, sizeof(text));
		if (s->net.prefix == 0)
			snprintf(msg, sizeof(msg), "from %s admits every IPv%c source; write open if that is meant",
				 text, s->net.family == AF_INET ? '4' : '6');
		else if (is_loopback_net(&s->net))
			snprintf(msg, sizeof(msg), "from %s: loopback sources are the host itself, "
				 "admitted always", text);
		/* the narrowest other network that holds this one */
		for (j = 0, best = NULL; !msg[0] && j < e->nsources; j++) {
			const struct policy_source *o = &e->sources[j];

			if (j == i || !config_net_contains(&o->net, s->net.family, s->net.addr) ||
			    o->net.prefix > s->net.prefix || (o->net.prefix == s->net.prefix && j > i))
				continue;
			if (!best || o->net.prefix > best->net.prefix)
				best = o;
		}
		if (best) {
			char other[64];

			policy_net_text(&best->net, other, sizeof(other));
			if (best->net.prefix == s->net.prefix)
				snprintf(msg, sizeof(msg), "from %s is given twice (line %u)", text, best->line);
			else
				snprintf(msg, sizeof(msg), "from %s lies within %s (line %u)", text, other,
					 best->line);
		}
		if (!msg[0])
			continue;
		fprintf(out, "%s:%u: %s: %s\n", e->file, s->line, e->service, msg);
		(*n)++;
	}
}

unsigned policy_lint(const struct policy_db *db, FILE *out)
{
	unsigned i, n = 0;

	for (i = 0; i < db->nentries; i++) {
		const struct policy_entry *e = &db->entries[i];

		lint_text(e, out, &n);
		lint_related(db, e, out, &n);
		lint_overlaps(db, i, out, &n);
		lint_declared(db, e, out, &n);
		lint_repeats(e, out, &n);
		lint_via(db, e, out, &n);
		lint_sources(e, out, &n);
	}
	lint_rows(db, IPPROTO_TCP, out, &n);
	lint_rows(db, IPPROTO_UDP, out, &n);
	return n;
}
