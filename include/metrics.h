/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_METRICS_H
#define PORTWARDEN_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "kstate.h"
#include "policy.h"

/* Prometheus text format for node_exporter's textfile collector
 * (metrics_file in portwarden.conf): a fleet's Prometheus watches every
 * host without portwarden opening a port. */

#define METRICS_PORTS	512	/* ports with queue-path counts kept */

struct metrics {
	struct {
		uint8_t proto;
		uint16_t port;
		unsigned long long count;
	} queued[METRICS_PORTS];
	unsigned nqueued;			/* slots in use */
	unsigned long long queued_other;	/* once every slot is taken */
	/* events the daemon could not write nor fold (the folding table was
	 * full), set before each write */
	unsigned long long unlogged;
};

/* One attempt blocked (or would-be) by the worker. */
void metrics_count_queue(struct metrics *m, uint8_t proto, uint16_t port, unsigned long count);

/* Writes the daemon's metrics: queue-path counts, the kernel's counters
 * from ks, the mode.  0 or -errno. */
int metrics_format(FILE *out, const struct metrics *m, const struct kstate *ks,
		   const struct policy_db *db);

/* `portwarden audit`'s result: ports exposed, protected, served... */
int metrics_format_audit(FILE *out, const unsigned *by_status, const char *const *status_names,
			 unsigned nstatus);

/* One listening port at the last audit: a sample per port, so that an
 * alert can name the host, the port, its service and the process. */
struct metrics_audit_port {
	const char *status, *proto, *service, *process;
	unsigned port;
};

/* portwarden_audit_listener{host,status,proto,port,service,process} 1, one
 * sample per distinct label set (sockets of both families on one port are
 * one sample).  Sorts v. */
int metrics_format_audit_ports(FILE *out, const char *host, struct metrics_audit_port *v,
			       unsigned n);

/* What fmt writes, in memory (*text: the caller frees it): 0 or -errno */
int metrics_text(int (*fmt)(FILE *out, const void *arg), const void *arg, char **text,
		 size_t *len);
/* Writes through a temporary file and rename, as the collector expects. */
int metrics_write_file(const char *path, int (*fmt)(FILE *out, const void *arg), const void *arg);

#endif
