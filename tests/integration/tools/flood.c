// SPDX-License-Identifier: GPL-2.0-or-later
/* Test and benchmark tool: a TCP SYN flood over a raw socket.
 *
 *   flood SRC DST PORT COUNT [ack]
 *
 * SRC and DST are IPv4 addresses of the test's own namespaces.  Source
 * ports vary so every SYN looks like a new connection attempt.  Prints the
 * number sent and the packets per second.  With "ack" the segments carry
 * ACK instead of SYN, as a scan or a guessed SYN cookie does. */
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

struct syn {
	uint8_t ip[20];
	uint8_t tcp[20];
};

static uint16_t checksum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t tcp_flags = 0x02;	/* SYN */

static void build(struct syn *s, struct in_addr src, struct in_addr dst, uint16_t port,
		  uint16_t sport, uint32_t seq)
{
	uint8_t pseudo[12];
	uint32_t sum = 0;
	uint16_t c;
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->ip[0] = 0x45;
	s->ip[3] = sizeof(*s);
	s->ip[8] = 64;
	s->ip[9] = IPPROTO_TCP;
	memcpy(s->ip + 12, &src, 4);
	memcpy(s->ip + 16, &dst, 4);
	c = checksum(s->ip, 20, 0);
	s->ip[10] = (uint8_t)(c >> 8);
	s->ip[11] = (uint8_t)c;
	s->tcp[0] = (uint8_t)(sport >> 8);
	s->tcp[1] = (uint8_t)sport;
	s->tcp[2] = (uint8_t)(port >> 8);
	s->tcp[3] = (uint8_t)port;
	memcpy(s->tcp + 4, &seq, 4);
	s->tcp[12] = 5 << 4;
	s->tcp[13] = tcp_flags;
	s->tcp[14] = 0x72;
	s->tcp[15] = 0x10;
	memcpy(pseudo, &src, 4);
	memcpy(pseudo + 4, &dst, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = 0;
	pseudo[11] = 20;
	for (i = 0; i < 12; i += 2)
		sum += (uint32_t)(pseudo[i] << 8 | pseudo[i + 1]);
	c = checksum(s->tcp, 20, sum);
	s->tcp[16] = (uint8_t)(c >> 8);
	s->tcp[17] = (uint8_t)c;
}

int main(int argc, char **argv)
{
	struct syn pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct in_addr src;
	struct timespec t0, t1;
	unsigned long count, sent = 0;
	uint16_t port;
	double secs;
	int fd, one = 1, i;

	if (argc < 5 || argc > 6 || inet_pton(AF_INET, argv[1], &src) != 1 ||
	    inet_pton(AF_INET, argv[2], &to.sin_addr) != 1) {
		fprintf(stderr, "usage: flood SRC DST PORT COUNT [ack]\n");
		return 2;
	}
	if (argc == 6 && !strcmp(argv[5], "ack"))
		tcp_flags = 0x10;
	port = (uint16_t)atoi(argv[3]);
	count = strtoul(argv[4], NULL, 10);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("flood: raw socket");
		return 2;
	}
	memset(msgs, 0, sizeof(msgs));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent < count) {
		int n = (int)(count - sent < BATCH ? count - sent : BATCH);

		for (i = 0; i < n; i++) {
			build(&pkts[i], src, to.sin_addr, port,
			      (uint16_t)(1024 + (sent + (unsigned long)i) % 60000),
			      (uint32_t)(sent + (unsigned long)i));
			iov[i].iov_base = &pkts[i];
			iov[i].iov_len = sizeof(pkts[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &to;
			msgs[i].msg_hdr.msg_namelen = sizeof(to);
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
