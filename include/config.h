/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PORTWARDEN_CONFIG_H
#define PORTWARDEN_CONFIG_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* portwarden.conf(5): "key = value" lines. */

#define CONFIG_LIST_MAX	32

struct config_net {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network byte order, host bits cleared */
	uint8_t prefix;
};

/* How lan_interfaces and lan_networks were given: "auto" (the default,
 * with the list's entries added when "auto" comes with a list), an
 * explicit list, or "none". */
enum config_lan_mode {
	CONFIG_LAN_AUTO,
	CONFIG_LAN_LIST,
	CONFIG_LAN_NONE,
};

/* The zone of an interface: lan trusts its connected private subnets and
 * its link scope, public and wan nothing (wan is also router mode).
 * ZONE_AUTO: not set here, decided from what the host knows. */
enum zone {
	ZONE_AUTO,
	ZONE_LAN,
	ZONE_PUBLIC,
	ZONE_WAN,
};

/* "zone.NAME = ZONE": NAME an interface, a prefix ending in '*', or "*" */
#define CONFIG_ZONES_MAX	64
struct config_zone {
	char name[IFNAMSIZ];
	enum zone zone;
	unsigned line;
};

/* 4 MiB: a burst of a few thousand SYNs waits in the buffer */
#define CONFIG_QUEUE_BUFFER_KIB	4096

struct config {
	uint16_t queue_num;
	int fail_open;
	int monitor;
	enum config_lan_mode lan_ifaces_mode, lan_nets_mode;
	/* names; one ending in '*' is a prefix ("br-*") */
	char lan_ifaces[CONFIG_LIST_MAX][IFNAMSIZ];
	unsigned nlan_ifaces;
	struct config_net lan_nets[CONFIG_LIST_MAX];
	unsigned nlan_nets;
	/* wan_interfaces, and zone.NAME = wan */
	char wan_ifaces[CONFIG_LIST_MAX][IFNAMSIZ];
	unsigned nwan_ifaces;
	struct config_zone zones[CONFIG_ZONES_MAX];
	unsigned nzones;
	/* what the automatic zone and LAN take for private (RFC 1918 and
	 * fc00::/7 unless private_networks says otherwise) */
	struct config_net private_nets[CONFIG_LIST_MAX];
	unsigned nprivate_nets;
	char log_file[256];
	char metrics_file[256];	/* Prometheus textfile, "" when off */
	unsigned log_rate;	/* kernel-path log lines per second */
	unsigned log_max_kib;	/* cap of the log file, 0: none */
	unsigned queue_buffer_kib;	/* receive buffer of the queue socket */
	int syslog;
	int table_owner;	/* own the table (Linux 6.9+) instead of watching */
	char adopt_state[256];	/* the adoption window's state file (learnfile.h) */
	/* not a key: the state file exists, so lan-only ports log would-block
	 * instead of dropping (settings_load_config reads it) */
	int learning;
	time_t learn_started, learn_until;
};

void config_defaults(struct config *cfg);
/* Returns the number of errors, each reported to err as "FILE:LINE: ...".
 * A missing file is not an error when optional is set. */
unsigned config_load_file(struct config *cfg, const char *path, int optional, FILE *err);
unsigned config_load_buf(struct config *cfg, const char *name, char *buf, size_t len, FILE *err);

/* "lan", "public", "wan", "auto" */
const char *config_zone_name(enum zone z);
int config_zone_parse(const char *s, enum zone *z);
/* The zone.NAME entry that applies to interface ifname: its own name
 * first, then the longest prefix, then "*"; NULL when none does. */
const struct config_zone *config_zone_of(const struct config *cfg, const char *ifname);
/* The index of the private_networks entry holding addr, or -1 */
int config_private_index(const struct config *cfg, int family, const uint8_t *addr);

/* Parses "ADDR/PREFIX" or a bare address (host route). */
int config_parse_net(const char *s, struct config_net *net);
int config_net_contains(const struct config_net *net, int family, const uint8_t *addr);

#endif
