/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_POLICY_H
#define PORTWARDEN_POLICY_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* The port policy database: entries parsed from rules files and an index
 * that answers "which entry governs this protocol and port" in O(1). */

enum policy_kind {
	POLICY_OPEN = 0,
	POLICY_LAN_ONLY,
	POLICY_LOOPBACK_ONLY,
};

#define POLICY_TCP	0x1
#define POLICY_UDP	0x2
#define POLICY_BOTH	(POLICY_TCP | POLICY_UDP)

#define POLICY_SERVICE_MAX	32
#define POLICY_RELATED_MAX	16
#define POLICY_OVERLAPS_MAX	4
#define POLICY_VIA_MAX		8
#define POLICY_ENTRIES_MAX	65535	/* in one file */
#define POLICY_SOURCES_MAX	256	/* `from` networks of one entry */

struct policy_port_ref {
	uint16_t lo, hi;
	uint8_t protos;
};

/* A network a `from` line admits to the entry's ports, beyond what its
 * policy admits; line is that of the `from` line. */
struct policy_source {
	struct config_net net;
	unsigned line;
};

struct policy_entry {
	uint16_t lo, hi;
	uint8_t protos;
	uint8_t kind;
	uint8_t nrelated;
	uint8_t noverlaps;
	char service[POLICY_SERVICE_MAX];
	char *title;
	char *software;
	char *about;
	/* word lists, one space between words; NULL when absent */
	char *aliases;		/* other names of the service */
	char *served_by;	/* executables (fnmatch patterns on the resolved
				 * path) that serve the port publicly by design:
				 * "served-by" and "listener open" */
	/* listeners that give the port another policy than the entry's:
	 * "listener lan-only" and "listener loopback-only", patterns of
	 * executable paths, names (NAME) or names with an argument
	 * (NAME:ARG), see listenpolicy_listener_matches() */
	char *listen_lan;
	char *listen_loopback;
	char *programs;		/* software dangerous when exposed, on any port */
	char *options;		/* with programs: the option naming its port */
	char *cves;		/* CVE-YYYY-NNNN... */
	/* CVEs of the software reached through other ports: lines
	 * "CVE-... via PORT/PROTO..." joined by '\n' */
	char *cves_via;
	/* free text */
	char *incidents;	/* "YYYY-MM[-DD] text" lines joined by '\n' */
	char *default_bind;
	struct policy_port_ref related[POLICY_RELATED_MAX];
	/* other entries of the same file this one overlaps on purpose */
	struct policy_port_ref overlaps[POLICY_OVERLAPS_MAX];
	/* the ports cves_via names, for lint */
	struct policy_port_ref via[POLICY_VIA_MAX];
	uint8_t nvia;
	/* `from`: admitted sources, in the order written; NULL when none */
	struct policy_source *sources;
	unsigned nsources;
	const char *file;	/* points into policy_db.files */
	unsigned line;
	int64_t expires;	/* wall-clock second it ends (expiry.h), 0: never */
	uint8_t expires_then;	/* then: the policy kind + 1; 0: the entry leaves */
	/* then: its only `from` networks; NULL when none */
	struct policy_source *expires_sources;
	unsigned nexpires_sources;
};

struct policy_db {
	struct policy_entry *entries;
	unsigned nentries, cap;
	char **files;
	unsigned nfiles;
	/* per port, 0 when no entry covers it, else 1 + a number into
	 * winner[], the entries that govern a port: at most 65535 of them,
	 * however many entries the files hold; [0] is TCP, [1] is UDP */
	uint16_t index[2][65536];
	uint32_t *winner[2];
};

struct policy_db *policy_db_new(void);
void policy_db_free(struct policy_db *db);

/* Parses one rules file (or buffer) into db; errors go to err as
 * "NAME:LINE: message".  Returns the number of errors. */
unsigned policy_db_load_file(struct policy_db *db, const char *path, FILE *err);
unsigned policy_db_load_buf(struct policy_db *db, const char *name, char *buf,
			    size_t len, FILE *err);

/* Frees the text only readers use (title, software, about, aliases, CVEs,
 * incidents, default-bind), keeping what enforcement needs: ranges,
 * policies, service names, sources, served-by, listener, program and
 * option. */
void policy_db_shed_text(struct policy_db *db);

/* Resolves overlaps: a narrower range wins, then the later entry. */
void policy_db_build_index(struct policy_db *db);

/* NULL when no entry covers the port; UDP-Lite looks up the UDP entries,
 * SCTP and DCCP the TCP ones (packet_policy_proto) */
const struct policy_entry *policy_lookup(const struct policy_db *db, int proto, uint16_t port);
enum policy_kind policy_kind_of(const struct policy_db *db, int proto, uint16_t port);
/* Does a listener line of e give its port another policy than e's own? */
int policy_has_listener_rules(const struct policy_entry *e);

/* The narrowest of e's `from` networks that holds addr (family's length),
 * or NULL. */
const struct policy_source *policy_source_of(const struct policy_entry *e, int family,
					     const uint8_t *addr);
/* A `from` network: ADDRESS or ADDRESS/PREFIX.  0, -EINVAL for anything
 * else, -EDOM when host bits are set (net then holds the network meant). */
int policy_source_parse(const char *word, struct config_net *net);
/* "203.0.113.0/24", "2001:db8:5::/48", a bare address for a host */
void policy_net_text(const struct config_net *net, char *out, size_t cap);

/* A service name or alias: letters, digits and ._+- (not first), shorter
 * than POLICY_SERVICE_MAX. */
int policy_valid_name(const char *s);

const char *policy_kind_name(enum policy_kind kind);
/* Its inverse: loopback-only, lan-only or open into *kind; 0, or -1 for
 * any other word.  A uint8_t as the entries keep it. */
int policy_kind_parse(const char *s, uint8_t *kind);
const char *policy_protos_name(uint8_t protos);
/* "tcp", "udp" or "both" into POLICY_TCP/UDP/BOTH; 0, or -1 for anything else */
int policy_protos_parse(const char *s, uint8_t *protos);

#endif
