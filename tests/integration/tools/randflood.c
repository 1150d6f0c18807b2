// SPDX-License-Identifier: GPL-2.0-or-later
/* Test and benchmark tool: a TCP SYN (or ACK) flood from random sources
 * over a raw socket, as hping3 --rand-source sends one, within the
 * documentation prefixes only.
 *
 *   randflood DST PORT COUNT [syn|ack]
 *
 * DST is an IPv4 or IPv6 address of the test's own namespaces.  IPv4
 * sources are drawn from 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24
 * (hosts 2-254, never an address the tests give a host); IPv6 sources from
 * 2001:db8::/32 (every packet a new source).  Prints the number sent and
 * the packets per second. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

struct pkt {
	uint8_t b[60];
	size_t len;
};

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint32_t next_rand(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (uint32_t)(state >> 16);
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void tcp_header(uint8_t *t, uint16_t sport, uint16_t port, uint32_t seq, uint8_t flags)
{
	memset(t, 0, 20);
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(port >> 8);
	t[3] = (uint8_t)port;
	memcpy(t + 4, &seq, 4);
	t[12] = 5 << 4;
	t[13] = flags;
	t[14] = 0x72;
	t[15] = 0x10;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void build4(struct pkt *k, const struct in_addr *dst, uint16_t port, uint8_t flags)
{
	static const uint8_t nets[3][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
	uint8_t *ip = k->b, *t = k->b + 20, pseudo[12];
	uint32_t r = next_rand();

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, nets[r % 3], 3);
	ip[15] = (uint8_t)(2 + (r >> 8) % 253);
	memcpy(ip + 16, dst, 4);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	tcp_header(t, (uint16_t)(1024 + (r >> 16) % 60000), port, r, flags);
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = 20;
	put16(t + 16, fold(sum16(t, 20, sum16(pseudo, 12, 0))));
	k->len = 40;
}

static void build6(struct pkt *k, const struct in6_addr *dst, uint16_t port, uint8_t flags)
{
	uint8_t *ip = k->b, *t = k->b + 40, pseudo[40];
	uint32_t r;
	int i;

	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[5] = 20;	/* payload length */
	ip[6] = IPPROTO_TCP;
	ip[7] = 64;
	ip[8] = 0x20;	/* 2001:db8::/32 */
	ip[9] = 0x01;
	ip[10] = 0x0d;
	ip[11] = 0xb8;
	for (i = 12; i < 24; i += 4) {
		r = next_rand();
		memcpy(ip + i, &r, 4);
	}
	memcpy(ip + 24, dst, 16);
	r = next_rand();
	tcp_header(t, (uint16_t)(1024 + r % 60000), port, r, flags);
	memset(pseudo, 0, sizeof(pseudo));
	memcpy(pseudo, ip + 8, 32);
	pseudo[35] = 20;
	pseudo[39] = IPPROTO_TCP;
	put16(t + 16, fold(sum16(t, 20, sum16(pseudo, 40, 0))));
	k->len = 60;
}

int main(int argc, char **argv)
{
	struct pkt pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage to;
	struct in_addr d4;
	struct in6_addr d6;
	struct timespec t0, t1;
	unsigned long count, sent = 0;
	uint8_t flags = 0x02;
	socklen_t tolen;
	uint16_t port;
	double secs;
	int fd, v6, one = 1, i;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: randflood DST PORT COUNT [syn|ack]\n");
		return 2;
	}
	v6 = inet_pton(AF_INET6, argv[1], &d6) == 1;
	if (!v6 && inet_pton(AF_INET, argv[1], &d4) != 1) {
		fprintf(stderr, "randflood: not an address: %s\n", argv[1]);
		return 2;
	}
	if (argc == 5 && !strcmp(argv[4], "ack"))
		flags = 0x10;
	port = (uint16_t)atoi(argv[2]);
	count = strtoul(argv[3], NULL, 10);
	state ^= (uint64_t)getpid() << 32;
	memset(&to, 0, sizeof(to));
	if (v6) {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&to;

		s->sin6_family = AF_INET6;
		s->sin6_addr = d6;
		tolen = sizeof(*s);
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);	/* the header is ours */
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *)&to;

		s->sin_family = AF_INET;
		s->sin_addr = d4;
		tolen = sizeof(*s);
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		if (fd >= 0 && setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0)
			fd = -1;
	}
	if (fd < 0) {
		perror("randflood: raw socket");
		return 2;
	}
	memset(msgs, 0, sizeof(msgs));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < count) {
		int n = (int)(count - sent < BATCH ? count - sent : BATCH);

		for (i = 0; i < n; i++) {
			if (v6)
				build6(&pkts[i], &d6, port, flags);
			else
				build4(&pkts[i], &d4, port, flags);
			iov[i].iov_base = pkts[i].b;
			iov[i].iov_len = pkts[i].len;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &to;
			msgs[i].msg_hdr.msg_namelen = tolen;
		}
		n = sendmmsg(fd, msgs, (unsigned)n, 0);
		if (n <= 0) {
			usleep(100);	/* the veth queue is full */
			continue;
		}
		sent += (unsigned long)n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%lu %.0f\n", sent, secs > 0 ? (double)sent / secs : 0.0);
	close(fd);
	return 0;
}
