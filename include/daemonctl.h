/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_DAEMONCTL_H
#define PORTWARDEN_DAEMONCTL_H

#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/* A command's end of the control socket (ctlsock.h): asks the daemon that
 * serves a queue in this network namespace to apply its files, and reads
 * what it did.  No pid file, no signal, no polling: the daemon answers
 * once the kernel acknowledged the table, or says why not. */

#define DAEMONCTL_WAIT_MS 60000	/* a reload of a huge database on a slow machine */

enum daemonctl_outcome {
	DAEMONCTL_NOT_RUNNING,	/* no daemon serves the queue here */
	DAEMONCTL_APPLIED,
	DAEMONCTL_REFUSED,	/* the daemon's files have errors: it kept its policy */
	DAEMONCTL_FAILED,	/* the kernel refused the table: it kept its policy */
	DAEMONCTL_ERROR,	/* no usable answer (see detail) */
};

/* One line of an "applied" answer: ports whose policy changed, or (with
 * sources) whose `from` networks did. */
struct daemonctl_change {
	uint8_t proto;
	uint16_t lo, hi;
	enum policy_kind was, now;
	int sources;
};

/* One line of an "applied" answer: of the ports lo..hi, agree have the
 * policy asked about, and the sources (control.h's digest, 0: none). */
struct daemonctl_check {
	uint8_t proto;
	uint16_t lo, hi;
	enum policy_kind kind;
	unsigned agree, total;
	uint64_t sources;
};

struct daemonctl_answer {
	enum daemonctl_outcome outcome;
	pid_t pid;		/* the daemon's, from the socket's credentials */
	unsigned entries;	/* applied: entries in its database */
	int window;		/* applied: an adoption window is open (1) or
				 * not (0); -1 when the answer does not say */
	struct daemonctl_change *changes;
	unsigned nchanges, more;	/* more: changes the answer only counted */
	struct daemonctl_check *checks;
	unsigned nchecks;
	char *detail;		/* refused, failed, error: the reason, lines */
};

/* Sends request ("reload" and "expect" lines, see control.h) to the
 * daemon of queue and reads its answer.  0 (see a->outcome), or -errno. */
int daemonctl_ask(uint16_t queue, const char *request, struct daemonctl_answer *a);
void daemonctl_answer_free(struct daemonctl_answer *a);

/* Pure, for tests: reads an answer's text into a; 0 or -EPROTO. */
int daemonctl_parse(const char *text, struct daemonctl_answer *a);

#endif
