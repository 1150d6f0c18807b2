// SPDX-License-Identifier: GPL-2.0-or-later
/* Deciding which services in use keep their clients at install time. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "adopt.h"
#include "hexdigit.h"

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

static int is_loopback(const struct adopt_conn *c)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };

	if (c->family == AF_INET)
		return c->remote[0] == 127;
	return !memcmp(c->remote, v6_loopback, 16);
}

static int is_link_local(const struct adopt_conn *c)
{
	if (c->family == AF_INET)
		return c->remote[0] == 169 && c->remote[1] == 254;
	return c->remote[0] == 0xfe && (c->remote[1] & 0xc0) == 0x80;
}

/* What the policy kind leaves of this client: 1 when the policy would cut
 * it.  LAN means an address of the effective LAN (lan_address_reason()) or
 * a link-local one; anything else is outside, so adoption errs towards
 * keeping a service reachable. */
static int would_cut(const struct adopt_conn *c, enum policy_kind kind, const struct lan *lan,
		     int *from_lan)
{
	*from_lan = 0;
	if (kind == POLICY_OPEN || is_loopback(c))
		return 0;
	*from_lan = is_link_local(c) || lan_address_reason(lan, c->family, c->remote);
	return kind == POLICY_LOOPBACK_ONLY || !*from_lan;
}

enum adopt_verdict adopt_decide(const struct adopt_conn *conns, unsigned n, uint16_t port,
				enum policy_kind kind, const struct lan *lan, int *example,
				unsigned *clients)
{
	enum adopt_verdict v = ADOPT_NONE;
	unsigned i;

	*example = -1;
	*clients = 0;
	for (i = 0; i < n; i++) {
		int from_lan;

		if (conns[i].lport != port || !would_cut(&conns[i], kind, lan, &from_lan))
			continue;
		(*clients)++;
		if (!from_lan && v != ADOPT_OPEN) {
			v = ADOPT_OPEN;
			*example = (int)i;
		} else if (from_lan && v == ADOPT_NONE) {
			v = ADOPT_LAN;
			*example = (int)i;
		}
	}
	return v;
}
