// SPDX-License-Identifier: GPL-2.0-or-later
/* portwarden.conf parser. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "textfile.h"

#define DEFAULT_LOG_FILE "/var/log/portwarden/blocked.log"
#define DEFAULT_ADOPT_STATE "/var/lib/portwarden/adopt.state"

/* RFC 1918 and IPv6 unique local addresses: never routed on the Internet */
static const char *const default_private[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",
};

static const char *const zone_names[] = {
	[ZONE_AUTO] = "auto", [ZONE_LAN] = "lan", [ZONE_PUBLIC] = "public", [ZONE_WAN] = "wan",
};

/* The state of one file's parse: where the lists that zone.NAME may
 * contradict were given */
void config_defaults(struct config *cfg)
{
	unsigned i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < sizeof(default_private) / sizeof(default_private[0]); i++)
		config_parse_net(default_private[i], &cfg->private_nets[cfg->nprivate_nets++]);
	cfg->lan_ifaces_mode = CONFIG_LAN_AUTO;
	cfg->lan_nets_mode = CONFIG_LAN_AUTO;
	cfg->log_rate = 10;
	cfg->queue_buffer_kib = CONFIG_QUEUE_BUFFER_KIB;
	cfg->table_owner = 1;
	snprintf(cfg->log_file, sizeof(cfg->log_file), "%s", DEFAULT_LOG_FILE);
	snprintf(cfg->adopt_state, sizeof(cfg->adopt_state), "%s", DEFAULT_ADOPT_STATE);
}

int config_parse_net(const char *s, struct config_net *net)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long prefix;
	unsigned i, max;
	char *end;

	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, addr, net->addr) == 1) {
		net->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, net->addr) == 1) {
		net->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	prefix = max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (errno || *end || prefix > max)
			return -EINVAL;
	}
	net->prefix = (uint8_t)prefix;
	for (i = prefix; i < max; i++)
		net->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return 0;
}

int config_net_contains(const struct config_net *net, int family, const uint8_t *addr)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != family)
		return 0;
	if (memcmp(net->addr, addr, full))
		return 0;
	if (rest && ((addr[full] ^ net->addr[full]) & (uint8_t)(0xff00u >> rest)))
		return 0;
	return 1;
}

const char *config_zone_name(enum zone z)
{
	return (unsigned)z < sizeof(zone_names) / sizeof(zone_names[0]) ? zone_names[z] : "?";
}

int config_zone_parse(const char *s, enum zone *z)
{
	unsigned i;

	for (i = 0; i < sizeof(zone_names) / sizeof(zone_names[0]); i++)
		if (!strcmp(s, zone_names[i])) {
			*z = (enum zone)i;
			return 0;
		}
	return -EINVAL;
}

const struct config_zone *config_zone_of(const struct config *cfg, const char *ifname)
{
	const struct config_zone *best = NULL;
	size_t best_len = 0;
	unsigned i;

	for (i = 0; i < cfg->nzones; i++) {
		const struct config_zone *z = &cfg->zones[i];
		size_t len = strlen(z->name);

		if (!strcmp(z->name, ifname))
			return z;
		/* "*" is the empty prefix: it matches everything, last */
		if (z->name[len - 1] != '*' || strncmp(z->name, ifname, len - 1))
			continue;
		if (!best || len > best_len) {
			best = z;
			best_len = len;
		}
	}
	return best;
}

int config_private_index(const struct config *cfg, int family, const uint8_t *addr)
{
	unsigned i;

	for (i = 0; i < cfg->nprivate_nets; i++)
		if (config_net_contains(&cfg->private_nets[i], family, addr))
			return (int)i;
	return -1;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	*out = strtoul(v, &end, 10);
	return (errno || *end || *out > max) ? -1 : 0;
}

static int is_keyword(const char *w)
{
	return !strcmp(w, "auto") || !strcmp(w, "none");
}

/* "auto" and "none" stand alone (1: nothing more to parse); a list is a
 * list, or adds to what auto finds when "auto" is one of its words (0:
 * parse the list, skipping "auto"). */
static int lan_mode(struct diag *d, unsigned line, const char *key, const char *v,
		    enum config_lan_mode *mode)
{
	char copy[TEXTFILE_MAX_LINE], *w;
	int with_auto = 0;

	if (is_keyword(v)) {
		*mode = v[0] == 'a' ? CONFIG_LAN_AUTO : CONFIG_LAN_NONE;
		return 1;
	}
	if (!*v) {
		diag_error(d, line, "%s is empty (expected auto, none or a list)", key);
		return -1;
	}
	snprintf(copy, sizeof(copy), "%s", v);
	for (w = strtok(copy, ", \t"); w; w = strtok(NULL, ", \t")) {
		if (!strcmp(w, "none")) {
			diag_error(d, line, "%s: \"none\" cannot be combined with a list", key);
			return -1;
		}
		with_auto |= !strcmp(w, "auto");
	}
	*mode = with_auto ? CONFIG_LAN_AUTO : CONFIG_LAN_LIST;
	return 0;
}

/* A name, or a prefix ending in '*'; '/' and a '*' elsewhere would make
 * nft and the kernel disagree about what the name means. */
static int bad_ifname(const char *word, int prefix_ok)
{
	const char *star = strchr(word, '*');

	if (strlen(word) >= IFNAMSIZ || strchr(word, '/') || !word[0])
		return 1;
	if (star && (!prefix_ok || star[1] || star == word))
		return 1;
	return 0;
}

static void parse_ifaces(struct diag *d, unsigned line, char *value,
			 char (*list)[IFNAMSIZ], unsigned *n, int prefix_ok)
{
	char *word;

	*n = 0;
	for (word = strtok(value, ", \t"); word; word = strtok(NULL, ", \t")) {
		if (!strcmp(word, "auto"))
			continue;	/* lan_interfaces = auto, IF... */
		if (bad_ifname(word, prefix_ok)) {
			diag_error(d, line, "bad interface name \"%.32s\" (at most %d characters%s)",
				   word, IFNAMSIZ - 1, prefix_ok ? ", or a prefix ending in *" : "");
			return;
		}
		if (*n == CONFIG_LIST_MAX) {
			diag_error(d, line, "more than %d interfaces", CONFIG_LIST_MAX);
			return;
		}
		memcpy(list[(*n)++], word, strlen(word) + 1);
	}
}

/* A list of networks into nets (lan_networks, private_networks) */
static void parse_nets(struct diag *d, unsigned line, char *value, struct config_net *nets,
		       unsigned *n)
{
	char *word;

	*n = 0;
	for (word = strtok(value, ", \t"); word; word = strtok(NULL, ", \t")) {
		if (!strcmp(word, "auto"))
			continue;	/* lan_networks = auto, CIDR... */
		if (*n == CONFIG_LIST_MAX) {
			diag_error(d, line, "more than %d networks", CONFIG_LIST_MAX);
			return;
		}
		if (config_parse_net(word, &nets[*n]) < 0) {
			diag_error(d, line, "bad network \"%.50s\" (expected ADDRESS/PREFIX)", word);
			return;
		}
		(*n)++;
	}
}

/* "zone.NAME = lan|public|wan|auto"; a later line for the same NAME wins,
 * and auto removes it */
static void parse_zone(struct config *cfg, struct diag *d, unsigned line, const char *name,
		       const char *v)
{
	struct config_zone *z = NULL;
	enum zone zone;
	unsigned i;

	if (strcmp(name, "*") && bad_ifname(name, 1)) {
		diag_error(d, line, "bad interface name \"%.32s\" in zone.NAME (at most %d "
			   "characters, a prefix ending in *, or *)", name, IFNAMSIZ - 1);
		return;
	}
	if (config_zone_parse(v, &zone) < 0) {
		diag_error(d, line, "zone.%s must be lan, public, wan or auto, not \"%.40s\"", name, v);
		return;
	}
	if (zone == ZONE_WAN && strchr(name, '*')) {
		diag_error(d, line, "zone.%s = wan: name the interface itself (the forward chain "
			   "guards WAN interfaces by name)", name);
		return;
	}
	for (i = 0; i < cfg->nzones && !z; i++)
		if (!strcmp(cfg->zones[i].name, name))
			z = &cfg->zones[i];
	if (zone == ZONE_AUTO) {
		if (z)
			*z = cfg->zones[--cfg->nzones];
		return;
	}
	if (!z && cfg->nzones == CONFIG_ZONES_MAX) {
		diag_error(d, line, "more than %d zone.NAME lines", CONFIG_ZONES_MAX);
		return;
	}
	if (!z)
		z = &cfg->zones[cfg->nzones++];
	snprintf(z->name, sizeof(z->name), "%s", name);
	z->zone = zone;
	z->line = line;
}

static void parse_choice(struct diag *d, unsigned line, const char *key, const char *v,
			 const char *no, const char *yes, int *out)
{
	if (!strcmp(v, no))
		*out = 0;
	else if (!strcmp(v, yes))
		*out = 1;
	else
		diag_error(d, line, "%s must be %s or %s, not \"%.40s\"", key, no, yes, v);
}

/* The keys a file gave so far (a second one would silently win), and
 * where the interface lists were given */
#define KEYS_SEEN_MAX (32 + CONFIG_ZONES_MAX)
struct config_parse {
	struct config *cfg;
	char keys[KEYS_SEEN_MAX][24];
	unsigned lines[KEYS_SEEN_MAX], nkeys;
	unsigned wan_line, lan_line;
};

static void apply(struct config_parse *ps, struct diag *d, unsigned line, const char *key, char *v)
{
	struct config *cfg = ps->cfg;
	unsigned long n;

	if (!strcmp(key, "queue")) {
		if (parse_uint(v, 65535, &n) < 0)
			diag_error(d, line, "queue must be a number from 0 to 65535");
		else
			cfg->queue_num = (uint16_t)n;
	} else if (!strcmp(key, "fail_mode")) {
		parse_choice(d, line, key, v, "closed", "open", &cfg->fail_open);
	} else if (!strcmp(key, "mode")) {
		parse_choice(d, line, key, v, "enforce", "monitor", &cfg->monitor);
	} else if (!strcmp(key, "lan_interfaces")) {
		cfg->nlan_ifaces = 0;
		ps->lan_line = line;
		if (lan_mode(d, line, key, v, &cfg->lan_ifaces_mode) == 0)
			parse_ifaces(d, line, v, cfg->lan_ifaces, &cfg->nlan_ifaces, 1);
	} else if (!strcmp(key, "wan_interfaces")) {
		ps->wan_line = line;
		parse_ifaces(d, line, v, cfg->wan_ifaces, &cfg->nwan_ifaces, 0);
	} else if (!strncmp(key, "zone.", 5)) {
		parse_zone(cfg, d, line, key + 5, v);
	} else if (!strcmp(key, "private_networks")) {
		cfg->nprivate_nets = 0;
		if (!*v)
			diag_error(d, line, "private_networks is empty (expected none or a list)");
		else if (strcmp(v, "none"))
			parse_nets(d, line, v, cfg->private_nets, &cfg->nprivate_nets);
	} else if (!strcmp(key, "lan_networks")) {
		cfg->nlan_nets = 0;
		if (lan_mode(d, line, key, v, &cfg->lan_nets_mode) == 0)
			parse_nets(d, line, v, cfg->lan_nets, &cfg->nlan_nets);
	} else if (!strcmp(key, "log_file")) {
		if (v[0] != '/' || strlen(v) >= sizeof(cfg->log_file))
			diag_error(d, line, "log_file must be an absolute path shorter than %zu bytes",
				   sizeof(cfg->log_file));
		else
			memcpy(cfg->log_file, v, strlen(v) + 1);
	} else if (!strcmp(key, "adopt_state")) {
		if (v[0] != '/' || strlen(v) >= sizeof(cfg->adopt_state))
			diag_error(d, line, "adopt_state must be an absolute path shorter than %zu bytes",
				   sizeof(cfg->adopt_state));
		else
			memcpy(cfg->adopt_state, v, strlen(v) + 1);
	} else if (!strcmp(key, "metrics_file")) {
		if (v[0] != '/' || strlen(v) >= sizeof(cfg->metrics_file) ||
		    strlen(v) < 6 || strcmp(v + strlen(v) - 5, ".prom"))
			diag_error(d, line, "metrics_file must be an absolute path ending in .prom, shorter than %zu bytes",
				   sizeof(cfg->metrics_file));
		else
			memcpy(cfg->metrics_file, v, strlen(v) + 1);
	} else if (!strcmp(key, "log_rate")) {
		if (parse_uint(v, 100000, &n) < 0 || n == 0)
			diag_error(d, line, "log_rate must be a number of lines per second from 1 to 100000");
		else
			cfg->log_rate = (unsigned)n;
	} else if (!strcmp(key, "syslog")) {
		if (parse_bool(v, &cfg->syslog) < 0)
			diag_error(d, line, "syslog must be yes or no");
	} else if (!strcmp(key, "log_max_size")) {
		if (parse_uint(v, 1ul << 22, &n) < 0)
			diag_error(d, line, "log_max_size must be a size in KiB from 0 (no cap) to 4194304");
		else
			cfg->log_max_kib = (unsigned)n;
	} else if (!strcmp(key, "queue_buffer")) {
		if (parse_uint(v, 1ul << 20, &n) < 0 || n < 256)
			diag_error(d, line, "queue_buffer must be a size in KiB from 256 to 1048576");
		else
			cfg->queue_buffer_kib = (unsigned)n;
	} else if (!strcmp(key, "table_owner")) {
		if (parse_bool(v, &cfg->table_owner) < 0)
			diag_error(d, line, "table_owner must be yes or no");
	} else {
		diag_error(d, line, "unknown key \"%.40s\" (see portwarden.conf(5))", key);
	}
}

static int given_before(struct config_parse *c, struct diag *d, unsigned line, const char *key)
{
	unsigned i;

	for (i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i], key)) {
			diag_error(d, line, "%s is given twice (first on line %u); keep one", key,
				   c->lines[i]);
			return 1;
		}
	if (c->nkeys < KEYS_SEEN_MAX && strlen(key) < sizeof(c->keys[0])) {
		memcpy(c->keys[c->nkeys], key, strlen(key) + 1);
		c->lines[c->nkeys++] = line;
	}
	return 0;
}

static void parse_line(void *ctx, struct diag *d, unsigned line, char *text)
{
	struct config_parse *c = ctx;
	char *p = text, *eq, *key_end, *v, *v_end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return;
	eq = strchr(p, '=');
	if (!eq) {
		diag_error(d, line, "expected \"key = value\"");
		return;
	}
	for (key_end = eq; key_end > p && (key_end[-1] == ' ' || key_end[-1] == '\t'); key_end--)
		;
	*key_end = '\0';
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (v_end = v + strlen(v); v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'); v_end--)
		;
	*v_end = '\0';
	if (!*p) {
		diag_error(d, line, "missing key before \"=\"");
		return;
	}
	if (!given_before(c, d, line, p))
		apply(c, d, line, p, v);
}

static int listed(char (*list)[IFNAMSIZ], unsigned n, const char *name)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}

/* After the last line: zone.NAME = wan joins wan_interfaces, and a
 * zone.NAME that contradicts a list naming the same interface is an error
 * (which of the two was meant cannot be told). */
static void finish(struct config_parse *ps, struct diag *d)
{
	struct config *cfg = ps->cfg;
	unsigned i;

	for (i = 0; i < cfg->nzones; i++) {
		const struct config_zone *z = &cfg->zones[i];
		int in_wan = listed(cfg->wan_ifaces, cfg->nwan_ifaces, z->name);

		if (z->zone != ZONE_WAN && in_wan)
			diag_error(d, z->line, "zone.%s = %s, but wan_interfaces (line %u) names %s",
				   z->name, config_zone_name(z->zone), ps->wan_line, z->name);
		else if (z->zone != ZONE_LAN && cfg->lan_ifaces_mode != CONFIG_LAN_NONE &&
			 listed(cfg->lan_ifaces, cfg->nlan_ifaces, z->name))
			diag_error(d, z->line, "zone.%s = %s, but lan_interfaces (line %u) names %s",
				   z->name, config_zone_name(z->zone), ps->lan_line, z->name);
		else if (z->zone == ZONE_WAN && !in_wan && cfg->nwan_ifaces == CONFIG_LIST_MAX)
			diag_error(d, z->line, "more than %d WAN interfaces", CONFIG_LIST_MAX);
		else if (z->zone == ZONE_WAN && !in_wan)
			memcpy(cfg->wan_ifaces[cfg->nwan_ifaces++], z->name, IFNAMSIZ);
	}
}

unsigned config_load_buf(struct config *cfg, const char *name, char *buf, size_t len, FILE *err)
{
	struct diag d = { .out = err, .file = name };
	struct config_parse c = { .cfg = cfg };

	textfile_lines(&d, buf, len, parse_line, &c);
	finish(&c, &d);
	diag_finish(&d);
	return d.errors;
}

static unsigned load_config(void *cfg, const char *name, char *buf, size_t len, FILE *err)
{
	return config_load_buf(cfg, name, buf, len, err);
}

unsigned config_load_file(struct config *cfg, const char *path, int optional, FILE *err)
{
	return textfile_load(path, optional, err, load_config, cfg);
}
