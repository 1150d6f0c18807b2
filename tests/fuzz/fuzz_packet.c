// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target: IPv4/IPv6 + TCP, UDP, UDP-Lite, SCTP and DCCP header
 * parsing of queued packets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so ASan sees any read past the packet */
	uint8_t *copy = malloc(size ? size : 1);
	struct packet_info pi;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (packet_parse(copy, size, &pi) == 0 && pi.family != AF_INET && pi.family != AF_INET6)
		abort();
	/* what a refused packet reports must hang together too: ports only
	 * with addresses, and only for the transports that have them */
	if (pi.has_ports && ((pi.family != AF_INET && pi.family != AF_INET6) ||
			     (pi.proto != IPPROTO_TCP && pi.proto != IPPROTO_UDP &&
			      pi.proto != IPPROTO_UDPLITE && pi.proto != IPPROTO_SCTP &&
			      pi.proto != IPPROTO_DCCP)))
		abort();
	free(copy);
	return 0;
}
