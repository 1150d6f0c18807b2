// SPDX-License-Identifier: GPL-2.0-or-later
/* Deciding which clients of guarded ports adoption keeps, and as what. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adopt.h"
#include "fnv1a.h"
#include "hexdigit.h"
#include "netaddr.h"

/* The kernel prints addresses as 32-bit words in host order: "0100007F"
 * is 127.0.0.1 on a little-endian machine.  Returns the text consumed. */
static int parse_addr_port(const char *s, unsigned words, uint8_t *addr, uint16_t *port)
{
	unsigned i, w, b;
	unsigned long p = 0;
	const char *q = s;

	for (w = 0; w < words; w++) {
		uint32_t word = 0;

		for (i = 0; i < 8; i++, q++) {
			int v = hexdigit(*q);

			if (v < 0)
				return -1;
			word = word << 4 | (uint32_t)v;
		}
		for (b = 0; b < 4; b++)
			addr[w * 4 + b] = ((const uint8_t *)&word)[b];
	}
	if (*q++ != ':')
		return -1;
	for (i = 0; i < 4; i++, q++) {
		int v = hexdigit(*q);

		if (v < 0)
			return -1;
		p = p << 4 | (unsigned long)v;
	}
	*port = (uint16_t)p;
	return (int)(q - s);
}

/* A dual-stack socket's IPv4 client is ::ffff:a.b.c.d: it is an IPv4
 * client, and the LAN's IPv4 networks must match it. */
static void unmap_v4(struct adopt_conn *c)
{
	static const uint8_t prefix[12] = { [10] = 0xff, [11] = 0xff };

	if (c->family != AF_INET6 || memcmp(c->remote, prefix, 12) || memcmp(c->local, prefix, 12))
		return;
	c->family = AF_INET;
	memmove(c->remote, c->remote + 12, 4);
	memmove(c->local, c->local + 12, 4);
	memset(c->remote + 4, 0, 12);
	memset(c->local + 4, 0, 12);
}

int adopt_parse_proc_tcp(const char *line, int v6, struct adopt_conn *c)
{
	unsigned words = v6 ? 4 : 1;
	const char *p = line;
	int n;

	while (*p == ' ')
		p++;
	if (!strncmp(p, "sl", 2))
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p++ != ':' || *p++ != ' ')
		return -1;
	memset(c, 0, sizeof(*c));
	c->family = v6 ? AF_INET6 : AF_INET;
	if ((n = parse_addr_port(p, words, c->local, &c->lport)) < 0)
		return -1;
	p += n;
	if (*p++ != ' ' || (n = parse_addr_port(p, words, c->remote, &c->rport)) < 0)
		return -1;
	p += n;
	if (*p++ != ' ' || hexdigit(p[0]) < 0 || hexdigit(p[1]) < 0)
		return -1;
	unmap_v4(c);
	return hexdigit(p[0]) * 16 + hexdigit(p[1]) == 1;	/* TCP_ESTABLISHED */
}

/* ---- clients ------------------------------------------------------------ */

static int same_client(const struct adopt_client *c, int family, const uint8_t *addr,
		       uint8_t proto, uint16_t port)
{
	return c->family == family && c->proto == proto && c->port == port &&
	       !memcmp(c->addr, addr, netaddr_len(family));
}

#define SLOTS (2 * ADOPT_CLIENTS_MAX)

static unsigned hash_key(int family, const uint8_t *addr, uint8_t proto, uint16_t port)
{
	const uint8_t key[3] = { proto, port >> 8, port & 0xff };
	uint32_t h = fnv1a(FNV1A_START, addr, netaddr_len(family));

	return fnv1a(h, key, sizeof(key)) & (SLOTS - 1);
}

int adopt_clients_add(struct adopt_clients *c, int family, const uint8_t *addr, uint8_t proto,
		      uint16_t port, unsigned connected, unsigned long attempts)
{
	struct adopt_client *x;
	unsigned h;

	if (!c->slot && !(c->slot = calloc(SLOTS, sizeof(*c->slot))))
		return -ENOMEM;
	/* at most half full: a free slot ends every probe */
	for (h = hash_key(family, addr, proto, port); c->slot[h]; h = (h + 1) & (SLOTS - 1)) {
		x = &c->v[c->slot[h] - 1];
		if (same_client(x, family, addr, proto, port)) {
			x->connected += connected;
			x->attempts += attempts;
			return 0;
		}
	}
	if (c->n == ADOPT_CLIENTS_MAX) {
		c->dropped++;
		return 0;
	}
	if (c->n == c->cap) {
		unsigned cap = c->cap ? c->cap * 2 : 64;

		x = realloc(c->v, cap * sizeof(*x));
		if (!x)
			return -ENOMEM;
		c->v = x;
		c->cap = cap;
	}
	c->slot[h] = c->n + 1;
	x = &c->v[c->n++];
	memset(x, 0, sizeof(*x));
	x->family = family;
	memcpy(x->addr, addr, netaddr_len(family));
	x->proto = proto;
	x->port = port;
	x->connected = connected;
	x->attempts = attempts;
	return 0;
}

void adopt_clients_free(struct adopt_clients *c)
{
	free(c->v);
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

/* /proc and conntrack may both show one connection: "connected" says what
 * they prove without a count that could be twice the truth */
void adopt_client_evidence(const struct adopt_client *c, char *out, size_t cap)
{
	if (c->connected && c->attempts)
		snprintf(out, cap, "connected, %lu attempt%s", c->attempts, c->attempts == 1 ? "" : "s");
	else if (c->connected)
		snprintf(out, cap, "connected");
	else
		snprintf(out, cap, "%lu attempt%s", c->attempts, c->attempts == 1 ? "" : "s");
}

/* ---- the plan ----------------------------------------------------------- */

static int is_loopback(const struct adopt_client *c)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (c->family == AF_INET)
		return c->addr[0] == 127;
	return !memcmp(c->addr, v6_loopback, 16);
}

static int is_link_local(const struct adopt_client *c)
{
	if (c->family == AF_INET)
		return c->addr[0] == 169 && c->addr[1] == 254;
	return c->addr[0] == 0xfe && (c->addr[1] & 0xc0) == 0x80;
}

static void network_of(struct adopt_client *c)
{
	unsigned len = netaddr_len(c->family), b;

	memset(&c->net, 0, sizeof(c->net));
	c->net.family = c->family;
	c->net.prefix = c->family == AF_INET ? ADOPT_PREFIX_V4 : ADOPT_PREFIX_V6;
	memcpy(c->net.addr, c->addr, len);
	for (b = c->net.prefix; b < len * 8; b++)
		c->net.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

static enum adopt_fate fate_of(const struct adopt_client *c, const struct policy_entry *e,
			       const struct lan *lan)
{
	if (!e || e->kind == POLICY_OPEN || c->served || is_loopback(c))
		return ADOPT_IGNORED;
	if (policy_source_of(e, c->family, c->addr))
		return ADOPT_ADMITTED;
	/* the LAN as the address alone tells it (the interface is unknown).
	 * A link-local address is the same on every link: a lan interface's
	 * own link-local subnet may admit it, a from line never holds it
	 * (it would admit the address on every link, public ones too) */
	if (e->kind == POLICY_LAN_ONLY && lan_address_reason(lan, c->family, c->addr))
		return ADOPT_ADMITTED;
	if (is_link_local(c))
		return ADOPT_LINK_SCOPE;
	return c->connected || c->attempts >= ADOPT_ATTEMPTS_MIN ? ADOPT_KEPT : ADOPT_ONCE;
}

static struct adopt_port *port_of(struct adopt_port *ports, unsigned *n,
				  const struct adopt_client *c, const struct policy_entry *e)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (ports[i].proto == c->proto && ports[i].port == c->port)
			return &ports[i];
	memset(&ports[*n], 0, sizeof(ports[*n]));
	ports[*n].proto = c->proto;
	ports[*n].port = c->port;
	ports[*n].entry = e;
	return &ports[(*n)++];
}

static void add_net(struct adopt_port *p, const struct config_net *net)
{
	unsigned i;

	for (i = 0; i < p->nnets; i++)
		if (!memcmp(&p->nets[i], net, sizeof(*net)))
			return;
	p->networks_seen++;
	if (p->nnets < ADOPT_NETS_MAX)
		p->nets[p->nnets++] = *net;
}

static int by_port(const void *a, const void *b)
{
	const struct adopt_port *x = a, *y = b;

	if (x->proto != y->proto)
		return x->proto - y->proto;
	return (int)x->port - (int)y->port;
}

int adopt_plan(struct adopt_clients *c, const struct policy_db *db, const struct lan *lan,
	       int open, struct adopt_port **out, unsigned *n)
{
	struct adopt_port *ports = calloc(c->n + 1, sizeof(*ports));
	unsigned i;

	*out = NULL;
	*n = 0;
	if (!ports)
		return -ENOMEM;
	for (i = 0; i < c->n; i++) {
		struct adopt_client *x = &c->v[i];
		const struct policy_entry *e = policy_lookup(db, x->proto, x->port);
		struct adopt_port *p;

		x->fate = fate_of(x, e, lan);
		network_of(x);
		if (x->fate == ADOPT_IGNORED)
			continue;
		p = port_of(ports, n, x, e);
		if (x->fate == ADOPT_KEPT) {
			p->kept++;
			add_net(p, &x->net);
		}
		p->once += x->fate == ADOPT_ONCE;
		p->linkscope += x->fate == ADOPT_LINK_SCOPE;
	}
	for (i = 0; i < *n; i++) {
		struct adopt_port *p = &ports[i];

		if (!p->kept)
			p->outcome = ADOPT_NOTHING;
		else if (open)
			p->outcome = ADOPT_OPEN;
		else if (p->networks_seen > ADOPT_NETS_MAX)
			p->outcome = ADOPT_TOO_MANY;
		else
			p->outcome = ADOPT_SOURCES;
	}
	qsort(ports, *n, sizeof(*ports), by_port);
	*out = ports;
	return 0;
}
