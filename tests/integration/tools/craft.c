// SPDX-License-Identifier: GPL-2.0-or-later
/* Test tool: sends malformed IPv4 and IPv6 packets straight onto a link
 * with a packet socket, so the sender's own stack cannot tidy them up.
 *
 *   craft IFACE DST_MAC SRC4 DST4 SRC6 DST6 PORT [chain|deep|flood6 COUNT|udpflood6 COUNT|
 *         netsflood6 COUNT]
 *
 * Every packet is addressed to DST (a host of the test's own namespaces)
 * and to PORT.  Without a mode, 50 rounds of every case; "chain" sends one
 * IPv6 SYN behind 20 extension headers, "deep" one whose TCP header starts
 * past the first 2048 bytes (the link's MTU must allow 2200 bytes);
 * "flood6" COUNT valid SYNs, each from another address of SRC6's /64;
 * "udpflood6" COUNT valid UDP datagrams the same way; "netsflood6" COUNT
 * valid SYNs, each from another /64 of SRC6's /32 (2001:db8::/32 is one).
 * Prints how many packets it sent. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct target {
	int fd;
	struct sockaddr_ll ll;
	uint8_t src4[4], dst4[4], src6[16], dst6[16];
	uint16_t port;
	unsigned sent;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void send_frame(struct target *t, uint16_t ethertype, const uint8_t *pkt, size_t len)
{
	t->ll.sll_protocol = htons(ethertype);
	if (sendto(t->fd, pkt, len, 0, (struct sockaddr *)&t->ll, sizeof(t->ll)) == (ssize_t)len)
		t->sent++;
}

/* IPv4 header with the given total length field and header length. */
static size_t ipv4(struct target *t, uint8_t *p, unsigned ihl_words, unsigned total,
		   uint8_t proto, unsigned frag)
{
	memset(p, 0, ihl_words * 4);
	p[0] = (uint8_t)(0x40 | ihl_words);
	put16(p + 2, total);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, t->src4, 4);
	memcpy(p + 16, t->dst4, 4);
	return ihl_words * 4;
}

static void tcp_syn(struct target *t, uint8_t *p)
{
	memset(p, 0, 20);
	put16(p, 40000);
	put16(p + 2, t->port);
	p[12] = 5 << 4;
	p[13] = 0x02;
}

static void send_ipv4_cases(struct target *t)
{
	uint8_t pkt[256];
	size_t h;

	/* TCP header cut after the ports: no flags byte */
	h = ipv4(t, pkt, 5, 28, IPPROTO_TCP, 0);
	tcp_syn(t, pkt + h);
	send_frame(t, ETH_P_IP, pkt, 28);
	/* total length larger than the frame */
	h = ipv4(t, pkt, 5, 1500, IPPROTO_TCP, 0);
	tcp_syn(t, pkt + h);
	send_frame(t, ETH_P_IP, pkt, h + 20);
	/* header length field longer than the packet */
	h = ipv4(t, pkt, 15, 40, IPPROTO_TCP, 0);
	send_frame(t, ETH_P_IP, pkt, 40);
	/* options present (ihl 8) and a real SYN behind them */
	h = ipv4(t, pkt, 8, 52, IPPROTO_TCP, 0);
	pkt[20] = 1; pkt[21] = 1; pkt[22] = 1; pkt[23] = 0;	/* NOPs, end */
	tcp_syn(t, pkt + h);
	send_frame(t, ETH_P_IP, pkt, 52);
	/* later fragment carrying bytes that look like ports */
	h = ipv4(t, pkt, 5, 40, IPPROTO_TCP, 185);
	tcp_syn(t, pkt + h);
	send_frame(t, ETH_P_IP, pkt, 40);
	/* UDP with a 4-byte header */
	h = ipv4(t, pkt, 5, 24, IPPROTO_UDP, 0);
	put16(pkt + h, 40000);
	put16(pkt + h + 2, t->port);
	send_frame(t, ETH_P_IP, pkt, 24);
	/* version 4 header shorter than 20 bytes */
	send_frame(t, ETH_P_IP, pkt, 12);
}

static size_t ipv6(struct target *t, uint8_t *p, unsigned payload, uint8_t next)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, payload);
	p[6] = next;
	p[7] = 64;
	memcpy(p + 8, t->src6, 16);
	memcpy(p + 24, t->dst6, 16);
	return 40;
}

/* The TCP or UDP checksum over the IPv6 pseudo-header, so that the
 * receiver's stack takes the packet as real when nothing stops it. */
static void l4_checksum6(const struct target *t, uint8_t *l4, size_t len, uint8_t proto)
{
	uint8_t *field = l4 + (proto == IPPROTO_UDP ? 6 : 16);
	uint32_t sum = proto + (uint32_t)len;
	size_t i;

	for (i = 0; i < 16; i += 2)
		sum += (uint32_t)(t->src6[i] << 8 | t->src6[i + 1]) +
		       (uint32_t)(t->dst6[i] << 8 | t->dst6[i + 1]);
	field[0] = field[1] = 0;
	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(l4[i] << 8 | l4[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(field, ~sum & 0xffff);
}

static void tcp6_checksum(const struct target *t, uint8_t *tcp, size_t len)
{
	l4_checksum6(t, tcp, len, IPPROTO_TCP);
}

/* A UDP header of len bytes in all (payload zeroed) to the target's port */
static void udp_datagram(const struct target *t, uint8_t *p, unsigned len)
{
	memset(p, 0, len);
	put16(p + 2, t->port);
	put16(p + 4, len);
}

/* Fills an options area with options of the given type, 255 data bytes
 * at most each; a last single byte is Pad1 (zero). */
static void fill_options(uint8_t *p, size_t len, uint8_t type)
{
	while (len >= 2) {
		size_t data = len - 2 > 255 ? 255 : len - 2;

		p[0] = type;
		p[1] = (uint8_t)data;
		p += 2 + data;
		len -= 2 + data;
	}
}

/* A SYN behind n destination-options headers of 8 * (words + 1) bytes:
 * short ones hold PadN, long ones an unknown option the receiver skips
 * (0x1e, RFC 4727), since the kernel refuses more than 7 bytes of pad. */
static void send_ipv6_chain(struct target *t, int n, unsigned words)
{
	static uint8_t pkt[40 + 2 * 2048 + 20];
	size_t len = (words + 1) * 8, off;
	int i;

	off = ipv6(t, pkt, (unsigned)(n * len + 20), IPPROTO_DSTOPTS);
	for (i = 0; i < n; i++, off += len) {
		memset(pkt + off, 0, len);
		pkt[off] = i == n - 1 ? IPPROTO_TCP : IPPROTO_DSTOPTS;
		pkt[off + 1] = (uint8_t)words;
		fill_options(pkt + off + 2, len - 2, words ? 0x1e : 1);
	}
	tcp_syn(t, pkt + off);
	tcp6_checksum(t, pkt + off, 20);
	send_frame(t, ETH_P_IPV6, pkt, off + 20);
}

/* SYNs (or UDP datagrams of 8 bytes) from random addresses of one /64,
 * as one attacker can send them */
/* first: the first byte of the source address that varies (8: one /64,
 * 4: the /64s of one /32) */
static void send_ipv6_flood(struct target *t, unsigned long count, uint8_t proto, int first)
{
	const unsigned l4 = proto == IPPROTO_UDP ? 16 : 20;
	uint8_t pkt[40 + 20];
	unsigned long i;
	unsigned seed = 1;
	int b;

	for (i = 0; i < count; i++) {
		for (b = first; b < 16; b++)
			t->src6[b] = (uint8_t)rand_r(&seed);
		ipv6(t, pkt, l4, proto);
		if (proto == IPPROTO_UDP)
			udp_datagram(t, pkt + 40, l4);
		else
			tcp_syn(t, pkt + 40);
		put16(pkt + 40, 1024 + (unsigned)(i % 60000));
		l4_checksum6(t, pkt + 40, l4, proto);
		send_frame(t, ETH_P_IPV6, pkt, 40 + l4);
	}
}

static void send_ipv6_cases(struct target *t)
{
	uint8_t pkt[512];
	size_t h;

	/* a chain of 20 destination-options headers before TCP */
	send_ipv6_chain(t, 20, 0);
	/* extension header whose length runs past the packet */
	h = ipv6(t, pkt, 16, IPPROTO_HOPOPTS);
	pkt[h] = IPPROTO_TCP;
	pkt[h + 1] = 200;
	send_frame(t, ETH_P_IPV6, pkt, h + 16);
	/* routing header, then TCP cut after the ports */
	h = ipv6(t, pkt, 8 + 4, IPPROTO_ROUTING);
	memset(pkt + h, 0, 8);
	pkt[h] = IPPROTO_TCP;
	put16(pkt + h + 8, 40000);
	put16(pkt + h + 10, t->port);
	send_frame(t, ETH_P_IPV6, pkt, h + 12);
	/* later fragment */
	h = ipv6(t, pkt, 8 + 20, IPPROTO_FRAGMENT);
	memset(pkt + h, 0, 8);
	pkt[h] = IPPROTO_TCP;
	put16(pkt + h + 2, 64 << 3);
	tcp_syn(t, pkt + h + 8);
	send_frame(t, ETH_P_IPV6, pkt, h + 28);
	/* payload length shorter than the TCP header */
	h = ipv6(t, pkt, 6, IPPROTO_TCP);
	tcp_syn(t, pkt + h);
	send_frame(t, ETH_P_IPV6, pkt, h + 20);
	/* no next header */
	h = ipv6(t, pkt, 0, 59);
	send_frame(t, ETH_P_IPV6, pkt, h);
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned v[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int main(int argc, char **argv)
{
	struct target t = { 0 };
	int round;

	if (argc < 8 || argc > 10) {
		fprintf(stderr, "usage: craft IFACE DST_MAC SRC4 DST4 SRC6 DST6 PORT "
			"[chain|deep|flood6 COUNT|udpflood6 COUNT|netsflood6 COUNT]\n");
		return 2;
	}
	t.fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	t.ll.sll_family = AF_PACKET;
	t.ll.sll_ifindex = (int)if_nametoindex(argv[1]);
	t.ll.sll_halen = 6;
	if (t.fd < 0 || !t.ll.sll_ifindex || parse_mac(argv[2], t.ll.sll_addr) < 0 ||
	    inet_pton(AF_INET, argv[3], t.src4) != 1 || inet_pton(AF_INET, argv[4], t.dst4) != 1 ||
	    inet_pton(AF_INET6, argv[5], t.src6) != 1 || inet_pton(AF_INET6, argv[6], t.dst6) != 1) {
		perror("craft: setup");
		return 2;
	}
	t.port = (uint16_t)atoi(argv[7]);
	if (argc >= 9) {
		unsigned long n = argc > 9 ? strtoul(argv[9], NULL, 10) : 100000;

		if (!strcmp(argv[8], "flood6"))
			send_ipv6_flood(&t, n, IPPROTO_TCP, 8);
		else if (!strcmp(argv[8], "udpflood6"))
			send_ipv6_flood(&t, n, IPPROTO_UDP, 8);
		else if (!strcmp(argv[8], "netsflood6"))
			send_ipv6_flood(&t, n, IPPROTO_TCP, 4);
		else if (!strcmp(argv[8], "chain"))
			send_ipv6_chain(&t, 20, 0);
		else	/* 2 x 1024 bytes of options: TCP starts at byte 2088 */
			send_ipv6_chain(&t, 2, 127);
		printf("%u\n", t.sent);
		close(t.fd);
		return 0;
	}
	for (round = 0; round < 50; round++) {
		send_ipv4_cases(&t);
		send_ipv6_cases(&t);
	}
	printf("%u\n", t.sent);
	close(t.fd);
	return 0;
}
