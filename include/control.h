/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_CONTROL_H
#define PORTWARDEN_CONTROL_H

#include <poll.h>

#include "daemonstate.h"

/* The daemon's end of the control socket (ctlsock.h): a command asks it to
 * apply the files and gets the outcome once the kernel acknowledged the
 * table, or the reason it did not change.  Only root, the daemon's own
 * user and its group are served.
 *
 * A request is one message of lines:
 *	reload
 *	expect PROTO LO HI POLICY [from DIGEST]	(any number: ports the
 *						 asker changed)
 * DIGEST is policydiff_sources() of the `from` networks the ports have;
 * without it they have none.  The answer is reload_config()'s text, then,
 * when it applied,
 *	window open|closed	(an adoption window, config.h's learning)
 * and for every expect line
 *	expect PROTO LO HI POLICY AGREE TOTAL [from DIGEST]
 * with the number of those ports that have that policy and those sources
 * in what was applied.
 *
 * The request
 *	log
 * writes out what the daemon holds in memory for the log (lines waiting
 * for a listener's name, repeats counted in open folding windows, which
 * it closes) and is answered "logged" once they are in the file, for a
 * command about to read it.  Anything else is answered "error TEXT". */

/* Listens on the socket of d->cfg.queue_num; -EADDRINUSE (said with the
 * process that holds it) when another daemon serves that queue here. */
int control_open(struct daemon *d);
void control_close(struct daemon *d);
/* The event loop's poll entries for the control socket: the listening
 * socket, then CONTROL_WAITING_MAX places for clients that connected
 * before sending their request (fd -1 where there is none). */
#define CONTROL_POLLFDS (1 + CONTROL_WAITING_MAX)
void control_pollfds(const struct daemon *d, struct pollfd *pfd);
/* After poll(): accepts new clients and answers every request that came,
 * never waiting for one; a client silent for a second is let go. */
void control_serve(struct daemon *d, const struct pollfd *pfd);

/* Answers one request text into out. */
void control_handle(struct daemon *d, const char *request, FILE *out);

/* Pure: the lines of a request after its first into v (at most
 * CONTROL_EXPECT_MAX); 0, or -1 with an "error" answer written to out. */
#define CONTROL_EXPECT_MAX 512
struct control_expect {
	uint8_t proto;
	unsigned lo, hi;
	enum policy_kind kind;
	uint64_t sources;	/* policydiff_sources(), 0: none */
};
int control_parse(const char *rest, struct control_expect *v, unsigned *n, FILE *out);

#endif
