// SPDX-License-Identifier: GPL-2.0-or-later
/* Metrics in Prometheus text format, for node_exporter's textfile collector. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "metrics.h"
#include "packet.h"
#include "safetext.h"

/* Open addressing: the worker calls this for every attempt it blocks. */
void metrics_count_queue(struct metrics *m, uint8_t proto, uint16_t port, unsigned long count)
{
	unsigned key = (unsigned)port << 1 | (proto == IPPROTO_UDP);
	unsigned i, h = (key * 2654435761u) % METRICS_PORTS;

	for (i = 0; i < METRICS_PORTS; i++, h = (h + 1) % METRICS_PORTS) {
		if (m->queued[h].count && (m->queued[h].proto != proto || m->queued[h].port != port))
			continue;
		if (!m->queued[h].count) {
			m->queued[h].proto = proto;
			m->queued[h].port = port;
			m->nqueued++;
		}
		m->queued[h].count += count;
		return;
	}
	m->queued_other += count;
}

/* Service names are letters, digits and ._+- (the parser sees to that), so
 * they need no escaping as label values. */
static const char *service_of(const struct policy_db *db, uint8_t proto, uint16_t port)
{
	const struct policy_entry *e = db ? policy_lookup(db, proto, port) : NULL;

	return e ? e->service : "";
}

static void sample(FILE *out, uint8_t proto, uint16_t port, const char *service, const char *path,
		   unsigned long long v)
{
	char num[8];

	fprintf(out, "portwarden_blocked_total{proto=\"%s\",port=\"%u\",service=\"%s\",path=\"%s\"} %llu\n",
		packet_proto_name(proto, num, sizeof(num)), port, service, path, v);
}

int metrics_format(FILE *out, const struct metrics *m, const struct kstate *ks,
		   const struct policy_db *db)
{
	unsigned i;

	fputs("# HELP portwarden_blocked_total Connection attempts to guarded ports dropped "
	      "(path queue: decided by the worker; kernel: by the table once decided).\n"
	      "# TYPE portwarden_blocked_total counter\n", out);
	for (i = 0; i < METRICS_PORTS; i++)
		if (m->queued[i].count)
			sample(out, m->queued[i].proto, m->queued[i].port,
			       service_of(db, m->queued[i].proto, m->queued[i].port), "queue",
			       m->queued[i].count);
	for (i = 0; ks && i < ks->nblocked; i++)
		sample(out, ks->blocked[i].proto, ks->blocked[i].port,
		       service_of(db, ks->blocked[i].proto, ks->blocked[i].port), "kernel",
		       (unsigned long long)ks->blocked[i].packets);
	if (m->queued_other)
		fprintf(out, "portwarden_blocked_total{proto=\"\",port=\"other\",service=\"\",path=\"queue\"} %llu\n",
			m->queued_other);
	if (!ks)
		return ferror(out) ? -EIO : 0;
	fprintf(out,
		"# HELP portwarden_queue_packets_total Packets handed to the worker's queue.\n"
		"# TYPE portwarden_queue_packets_total counter\n"
		"portwarden_queue_packets_total %llu\n"
		"# HELP portwarden_queue_dropped_total Packets the kernel dropped because the queue was full.\n"
		"# TYPE portwarden_queue_dropped_total counter\n"
		"portwarden_queue_dropped_total %llu\n"
		"# HELP portwarden_repeats_total Repeats of attempts logged within the last second, dropped early.\n"
		"# TYPE portwarden_repeats_total counter\n"
		"portwarden_repeats_total %llu\n"
		"# HELP portwarden_unlogged_total Attempts dropped without a log line of their own "
		"(path kernel: a source past log_rate, or a flood past its port's reserve; "
		"daemon: past the folding table).\n"
		"# TYPE portwarden_unlogged_total counter\n"
		"portwarden_unlogged_total{path=\"kernel\"} %llu\n"
		"portwarden_unlogged_total{path=\"daemon\"} %llu\n"
		"# HELP portwarden_forward_dropped_total Connections from WAN interfaces to guarded ports behind this host dropped.\n"
		"# TYPE portwarden_forward_dropped_total counter\n"
		"portwarden_forward_dropped_total %llu\n"
		"# HELP portwarden_enforcing 1 when the table is installed, a worker serves it and the mode is enforce.\n"
		"# TYPE portwarden_enforcing gauge\n"
		"portwarden_enforcing %d\n"
		"# HELP portwarden_guarded_ports Ports the policy guards.\n"
		"# TYPE portwarden_guarded_ports gauge\n"
		"portwarden_guarded_ports %u\n",
		ks->queue_total, ks->queue_dropped, ks->repeats, ks->unlogged, m->unlogged,
		ks->forward_drops,
		ks->installed && ks->worker && !ks->monitor, ks->guarded);
	return ferror(out) ? -EIO : 0;
}

int metrics_format_audit(FILE *out, const unsigned *by_status, const char *const *status_names,
			 unsigned nstatus)
{
	unsigned i;

	fputs("# HELP portwarden_audit_ports Listening ports by status at the last portwarden audit.\n"
	      "# TYPE portwarden_audit_ports gauge\n", out);
	for (i = 0; i < nstatus; i++)
		fprintf(out, "portwarden_audit_ports{status=\"%s\"} %u\n", status_names[i], by_status[i]);
	return ferror(out) ? -EIO : 0;
}

/* A label value: the text format's escapes, after controls and invalid
 * UTF-8 (a process names itself) are made visible. */
static void label_value(FILE *out, const char *s)
{
	char safe[512];
	const char *p;

	if (safetext_escape(safe, sizeof(safe), s, SAFETEXT_TERMINAL) < 0)
		safe[0] = '\0';
	for (p = safe; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', out);
		fputc(*p, out);
	}
}

static int audit_port_order(const void *a, const void *b)
{
	const struct metrics_audit_port *x = a, *y = b;
	int c;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if ((c = strcmp(x->proto, y->proto)) || (c = strcmp(x->status, y->status)) ||
	    (c = strcmp(x->service, y->service)))
		return c;
	return strcmp(x->process, y->process);
}

int metrics_format_audit_ports(FILE *out, const char *host, struct metrics_audit_port *v,
			       unsigned n)
{
	unsigned i;

	qsort(v, n, sizeof(*v), audit_port_order);
	fputs("# HELP portwarden_audit_listener A listening port at the last portwarden audit, "
	      "with its status, service and process.\n"
	      "# TYPE portwarden_audit_listener gauge\n", out);
	for (i = 0; i < n; i++) {
		if (i && !audit_port_order(&v[i - 1], &v[i]))
			continue;
		fputs("portwarden_audit_listener{host=\"", out);
		label_value(out, host);
		fprintf(out, "\",status=\"%s\",proto=\"%s\",port=\"%u\",service=\"", v[i].status,
			v[i].proto, v[i].port);
		label_value(out, v[i].service);
		fputs("\",process=\"", out);
		label_value(out, v[i].process);
		fputs("\"} 1\n", out);
	}
	return ferror(out) ? -EIO : 0;
}

int metrics_text(int (*fmt)(FILE *out, const void *arg), const void *arg, char **text,
		 size_t *len)
{
	FILE *f;
	int ret;

	*text = NULL;	/* stays so unless the stream is made */
	f = open_memstream(text, len);
	if (!f)
		return -errno;
	ret = fmt(f, arg);
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(*text);
		*text = NULL;
	}
	return ret;
}

int metrics_write_file(const char *path, int (*fmt)(FILE *out, const void *arg), const void *arg)
{
	char *text;
	size_t len;
	int ret = metrics_text(fmt, arg, &text, &len);

	/* the collector must never read half a file */
	if (ret == 0)
		ret = atomicfile_replace(path, text, len, 0644);
	free(text);
	return ret;
}
