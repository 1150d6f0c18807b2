// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading portwarden's table back from the kernel, for `status` and tests. */
#include <errno.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstate.h"
#include "netaddr.h"
#include "nftdump.h"
#include "nftmsg.h"
#include "nlsock.h"
#include "rulelan.h"
#include "rulepaths.h"
#include "rulesources.h"

static int request(struct nlsock *nl, uint16_t type, uint16_t flags, enum nftmsg_obj kind,
		   const void *obj, nlsock_cb cb, void *data)
{
	char buf[8192] = { 0 };
	struct nlmsghdr *nlh = nftmsg_build(buf, type, flags, nlsock_seq(nl), kind, obj);

	return nlsock_request(nl, buf, nlh->nlmsg_len, cb, data);
}

int kstate_table_exists(struct nlsock *nl)
{
	struct nftnl_table *t = nftnl_table_alloc();
	int ret;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, RULESET_TABLE);
	ret = request(nl, NFT_MSG_GETTABLE, NLM_F_ACK, NFTMSG_TABLE, t, NULL, NULL);
	nftnl_table_free(t);
	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}

struct rule_walk {
	struct kstate *ks;
	int repeat_rule;	/* this rule looks up a logged_v4/6 set */
	int queues;		/* this rule queues */
	uint64_t counted;	/* packets of the rule's counter */
	int lookup, accept, dynset;
};

static const char *const lan_sets[] = {
	RULELAN_SET_SUBNETS_V4, RULELAN_SET_SUBNETS_V6, RULELAN_SET_NETS_V4, RULELAN_SET_NETS_V6,
	RULELAN_SET_IFACES,
};

static const struct {
	const char *set, *zone;
} zone_sets[] = {
	{ RULELAN_SET_ZONE_LAN, "lan" },
	{ RULELAN_SET_ZONE_PUBLIC, "public" },
	{ RULELAN_SET_ZONE_WAN, "wan" },
};

static const char *zone_of_set(const char *set)
{
	unsigned i;

	for (i = 0; i < sizeof(zone_sets) / sizeof(zone_sets[0]); i++)
		if (!strcmp(zone_sets[i].set, set))
			return zone_sets[i].zone;
	return NULL;
}

/* "NAME: WHY" of a zone set's element */
static int add_zone(struct kstate *ks, const char *zone, const char *comment)
{
	const char *sep = strstr(comment, ": ");
	struct kstate_zone *grown, *z;

	if (!sep)
		return 0;
	grown = realloc(ks->zones, (ks->nzones + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	ks->zones = grown;
	z = &grown[ks->nzones++];
	snprintf(z->iface, sizeof(z->iface), "%.*s", (int)(sep - comment), comment);
	z->zone = zone;
	snprintf(z->why, sizeof(z->why), "%s", sep + 2);
	return 0;
}

static int zone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kstate_zone *)a)->iface, ((const struct kstate_zone *)b)->iface);
}

/* "PART: WHY" (a part never holds ": "; interface names hold no colon) */
static int add_lan(struct kstate *ks, const char *comment)
{
	const char *sep = strstr(comment, ": ");
	struct kstate_lan *grown, *l;

	if (!sep)
		return 0;
	grown = realloc(ks->lan, (ks->nlan + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	ks->lan = grown;
	l = &grown[ks->nlan++];
	snprintf(l->part, sizeof(l->part), "%.*s", (int)(sep - comment), comment);
	snprintf(l->why, sizeof(l->why), "%s", sep + 2);
	return 0;
}

static void queue_rule(struct kstate *ks, struct nftnl_expr *e, const char *name)
{
	uint32_t len;

	if (!strcmp(name, "queue")) {
		ks->queue_rule = 1;
		ks->backend = RULESET_QUEUE_NATIVE;
		ks->queue_num = nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_NUM);
		ks->fail_open = !!(nftnl_expr_get_u16(e, NFTNL_EXPR_QUEUE_FLAGS) &
				   NFT_QUEUE_FLAG_BYPASS);
	} else if (!strcmp(name, "target") &&
		   !strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME), "NFQUEUE")) {
		const struct xt_NFQ_info_v3 *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);

		ks->queue_rule = 1;
		ks->backend = RULESET_QUEUE_COMPAT;
		if (info && len >= sizeof(*info)) {
			ks->queue_num = info->queuenum;
			ks->fail_open = !!(info->flags & NFQ_FLAG_BYPASS);
		}
	}
}

static int rule_expr(struct nftnl_expr *e, void *data)
{
	struct rule_walk *w = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (!strcmp(name, "lookup"))
		w->lookup = 1;
	if (!strcmp(name, "dynset"))
		w->dynset = 1;
	if (!strcmp(name, "immediate") && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT) &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) == NF_ACCEPT)
		w->accept = 1;
	if (!strcmp(name, "lookup"))
		w->repeat_rule = !strncmp(nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET),
					  "logged_", strlen("logged_"));
	else if (!strcmp(name, "counter"))
		w->counted += nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
	else if (!strcmp(name, "queue") || !strcmp(name, "target")) {
		queue_rule(w->ks, e, name);
		w->queues = 1;
	}
	return 0;
}

static int rule_comment_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT)
		snprintf(data, KSTATE_COMMENT_MAX, "%.*s", (int)nftnl_udata_len(attr),
			 (const char *)nftnl_udata_get(attr));
	return 0;
}

/* The mode lives in the queue rule's comment, which portwarden wrote. */
static void queue_rule_mode(struct kstate *ks, const struct nftnl_rule *r)
{
	char comment[KSTATE_COMMENT_MAX] = "";
	const void *udata;
	uint32_t len;

	udata = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (udata)
		nftnl_udata_parse(udata, len, rule_comment_cb, comment);
	ks->monitor = strstr(comment, RULESET_MONITOR_NOTE) != NULL;
	ks->learning = strstr(comment, RULESET_LEARNING_NOTE) != NULL;
}

static int on_rule(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_walk w = { .ks = data };
	char comment[KSTATE_COMMENT_MAX] = "";
	const char *chain;
	const void *udata;
	uint32_t len;
	int ret = 0;

	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	w.ks->rules++;
	nftnl_expr_foreach(r, rule_expr, &w);
	if (w.queues)
		queue_rule_mode(w.ks, r);
	if (w.repeat_rule)
		w.ks->repeats += w.counted;
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	if (chain && !strcmp(chain, RULESET_CHAIN_AFTER_CONNTRACK))
		w.ks->conntrack = 1;
	if (chain && !strcmp(chain, RULEPATHS_CHAIN_ROUTED))
		w.ks->routed = 1;
	if (chain && !strcmp(chain, RULESET_CHAIN_BLOCKED) && !w.lookup && !w.dynset)
		w.ks->unlogged += w.counted;
	if (chain && !strcmp(chain, RULESET_CHAIN_FORWARD_DROP)) {
		w.ks->has_forward = 1;
		w.ks->forward_drops += w.counted;
	}
	/* the parts of the LAN that are rules, not set elements */
	if (!w.lookup && w.accept && chain && !strcmp(chain, RULELAN_CHAIN)) {
		udata = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
		if (udata)
			nftnl_udata_parse(udata, len, rule_comment_cb, comment);
		ret = add_lan(data, comment);
	}
out:
	nftnl_rule_free(r);
	return ret;
}

struct elem_walk {
	struct kstate *ks;
	const char *set;
	unsigned count;
};

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT)
		snprintf(data, KSTATE_COMMENT_MAX, "%.*s", (int)nftnl_udata_len(attr),
			 (const char *)nftnl_udata_get(attr));
	return 0;
}

static int counter_cb(struct nftnl_expr *e, void *data)
{
	struct kstate_port *p = data;

	if (!strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "counter")) {
		p->packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
		p->bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
	}
	return 0;
}

/* An element of a port set, with its comment and counter, onto a list */
static int add_port(struct kstate_port **list, unsigned *n, struct nftnl_set_elem *e)
{
	struct kstate_port *p, *grown;
	const uint8_t *key;
	const void *udata;
	uint32_t len;

	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	if (!key || len < 8)
		return 0;
	grown = realloc(*list, (*n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	*list = grown;
	p = &grown[(*n)++];
	memset(p, 0, sizeof(*p));
	p->proto = key[0];
	p->port = (uint16_t)(key[4] << 8 | key[5]);
	udata = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
	if (udata)
		nftnl_udata_parse(udata, len, comment_cb, p->comment);
	nftnl_set_elem_expr_foreach(e, counter_cb, p);
	return 0;
}

/* A port set's element into a port map */
static void mark_port(uint8_t (*map)[PORTMAP_BYTES], struct nftnl_set_elem *e)
{
	uint32_t len;
	const uint8_t *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	uint16_t port;

	if (!key || len < 8 || (key[0] != IPPROTO_TCP && key[0] != IPPROTO_UDP))
		return;
	port = (uint16_t)(key[4] << 8 | key[5]);
	portmap_set(map, key[0], port, 1);
}

/* @guarded: every element into the map, those its listener decided onto
 * the list */
static int mark_guarded(struct kstate *ks, struct nftnl_set_elem *e)
{
	int ret;

	mark_port(ks->guarded_map, e);
	ret = add_port(&ks->listened, &ks->nlistened, e);
	if (ret == 0 && ks->nlistened &&
	    !strstr(ks->listened[ks->nlistened - 1].comment, RULESET_LISTENER_NOTE))
		ks->nlistened--;
	return ret;
}

int kstate_enforces(const struct kstate *ks, uint8_t proto, uint16_t port)
{
	unsigned i;

	/* in monitor mode nothing is stopped, whatever the sets hold */
	if (!ks->installed || ks->monitor)
		return 0;
	/* nor, in an adoption window, on lan-only ports */
	if (ks->learning && portmap_has(ks->lan_only_map, proto, port))
		return 0;
	for (i = 0; i < ks->nblocked; i++)
		if (ks->blocked[i].proto == proto && ks->blocked[i].port == port)
			return 1;
	if (!portmap_has(ks->guarded_map, proto, port))
		return 0;
	return ks->queue_rule && (ks->worker || !ks->fail_open);
}

/* interval ends carry no comment and are skipped */
static int add_lan_elem(struct kstate *ks, const char *set, struct nftnl_set_elem *e)
{
	char comment[KSTATE_COMMENT_MAX] = "";
	const char *zone = zone_of_set(set);
	const void *udata;
	uint32_t len;

	udata = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
	if (!udata)
		return 0;
	nftnl_udata_parse(udata, len, comment_cb, comment);
	return zone ? add_zone(ks, zone, comment) : add_lan(ks, comment);
}

static int add_source(struct kstate *ks, struct nftnl_set_elem *e, int family)
{
	unsigned alen = netaddr_len(family);
	const uint8_t *key, *end;
	struct kstate_source *grown, *s;
	uint32_t klen = 0, elen = 0;

	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
	end = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY_END, &elen);
	if (!key || !end || klen != 8 + alen || elen != klen)
		return 0;
	grown = realloc(ks->sources, (ks->nsources + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	ks->sources = grown;
	s = &grown[ks->nsources++];
	memset(s, 0, sizeof(*s));
	s->proto = key[0];
	s->lo = (uint16_t)(key[4] << 8 | key[5]);
	s->hi = (uint16_t)(end[4] << 8 | end[5]);
	s->family = family;
	memcpy(s->addr_lo, key + 8, alen);
	memcpy(s->addr_hi, end + 8, alen);
	return 0;
}

static int on_elems(const struct nlmsghdr *nlh, void *data)
{
	struct elem_walk *w = data;
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	int ret = 0;

	if (!s)
		return -ENOMEM;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
		goto out;
	it = nftnl_set_elems_iter_create(s);
	if (!it) {
		ret = -ENOMEM;
		goto out;
	}
	for (e = nftnl_set_elems_iter_next(it); e && ret == 0; e = nftnl_set_elems_iter_next(it)) {
		w->count++;
		if (!strcmp(w->set, RULESET_SET_BLOCKED))
			ret = add_port(&w->ks->blocked, &w->ks->nblocked, e);
		else if (!strcmp(w->set, RULESET_SET_SERVED))
			ret = add_port(&w->ks->served, &w->ks->nserved, e);
		else if (!strcmp(w->set, RULESET_SET_GUARDED))
			ret = mark_guarded(w->ks, e);
		else if (!strcmp(w->set, RULESET_SET_LAN_ONLY))
			mark_port(w->ks->lan_only_map, e);
		else if (!strcmp(w->set, RULESOURCES_SET_V4))
			ret = add_source(w->ks, e, AF_INET);
		else if (!strcmp(w->set, RULESOURCES_SET_V6))
			ret = add_source(w->ks, e, AF_INET6);
		else
			ret = add_lan_elem(w->ks, w->set, e);
	}
	nftnl_set_elems_iter_destroy(it);
out:
	nftnl_set_free(s);
	return ret;
}

static int count_elems(struct nlsock *nl, struct kstate *ks, const char *set, unsigned *count)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct elem_walk w = { .ks = ks, .set = set };
	int ret;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, RULESET_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	ret = request(nl, NFT_MSG_GETSETELEM, NLM_F_DUMP | NLM_F_ACK, NFTMSG_ELEMS, s, on_elems, &w);
	nftnl_set_free(s);
	if (count)
		*count = w.count;
	return ret;
}

int kstate_parse_queue_line(const char *line, uint16_t *num, uint32_t *portid,
			    unsigned long long *dropped, unsigned long long *seq)
{
	unsigned n, pid, qlen, mode, range;
	unsigned long long user_dropped;

	if (sscanf(line, "%u %u %u %u %u %llu %llu %llu", &n, &pid, &qlen, &mode, &range,
		   dropped, &user_dropped, seq) != 8 || n > 65535)
		return -EINVAL;
	*num = (uint16_t)n;
	*portid = pid;
	*dropped += user_dropped;
	return 0;
}

static void read_queue_proc(struct kstate *ks)
{
	FILE *f = fopen("/proc/net/netfilter/nfnetlink_queue", "re");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long dropped, seq;
		uint32_t portid;
		uint16_t num;

		if (kstate_parse_queue_line(line, &num, &portid, &dropped, &seq) == 0 &&
		    num == ks->queue_num) {
			ks->worker = 1;
			ks->worker_portid = portid;
			ks->queue_total = seq;
			ks->queue_dropped = dropped;
		}
	}
	fclose(f);
}

/* The table's rules and sets, from scratch: called again when the ruleset
 * changed while they were read. */
static int read_table(struct nlsock *nl, void *ctx)
{
	struct kstate *ks = ctx;
	struct nftnl_rule *r;
	int ret;

	kstate_free(ks);
	memset(ks, 0, sizeof(*ks));
	ret = kstate_table_exists(nl);
	if (ret <= 0)
		return ret;
	ks->installed = 1;
	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, RULESET_TABLE);
	ret = request(nl, NFT_MSG_GETRULE, NLM_F_DUMP | NLM_F_ACK, NFTMSG_RULE, r, on_rule, ks);
	nftnl_rule_free(r);
	if (ret == 0)
		ret = count_elems(nl, ks, RULESET_SET_GUARDED, &ks->guarded);
	if (ret == 0)
		ret = count_elems(nl, ks, RULESET_SET_LAN_ONLY, &ks->lan_only);
	if (ret == 0)
		ret = count_elems(nl, ks, RULESET_SET_BLOCKED, NULL);
	if (ret == 0) {
		ret = count_elems(nl, ks, RULESET_SET_SERVED, NULL);
		if (ret == -ENOENT)	/* a table of an older portwarden */
			ret = 0;
	}
	for (unsigned i = 0; ret == 0 && i < sizeof(lan_sets) / sizeof(lan_sets[0]); i++) {
		ret = count_elems(nl, ks, lan_sets[i], NULL);
		if (ret == -ENOENT)	/* a table of an older portwarden */
			ret = 0;
	}
	for (unsigned i = 0; ret == 0 && i < sizeof(zone_sets) / sizeof(zone_sets[0]); i++) {
		ret = count_elems(nl, ks, zone_sets[i].set, NULL);
		if (ret == -ENOENT)	/* a table of an older portwarden */
			ret = 0;
	}
	if (ks->nzones)
		qsort(ks->zones, ks->nzones, sizeof(ks->zones[0]), zone_cmp);
	for (unsigned i = 0; ret == 0 && i < 2; i++) {
		ret = count_elems(nl, ks, i ? RULESOURCES_SET_V6 : RULESOURCES_SET_V4, NULL);
		if (ret == -ENOENT)	/* a table of an older portwarden */
			ret = 0;
	}
	return ret;
}

int kstate_read(struct kstate *ks)
{
	struct nlsock nl;
	int ret;

	memset(ks, 0, sizeof(*ks));
	ret = nlsock_open(&nl);
	if (ret < 0)
		return ret;
	/* rules and sets of one generation: a table replaced between two
	 * dumps would otherwise read as half the old and half the new */
	ret = nftdump_consistent(&nl, read_table, ks);
	if (ret == 0 && ks->queue_rule)
		read_queue_proc(ks);
	if (ret < 0)
		kstate_free(ks);
	nlsock_close(&nl);
	return ret;
}

void kstate_free(struct kstate *ks)
{
	free(ks->blocked);
	ks->blocked = NULL;
	ks->nblocked = 0;
	free(ks->served);
	ks->served = NULL;
	ks->nserved = 0;
	free(ks->listened);
	ks->listened = NULL;
	ks->nlistened = 0;
	free(ks->lan);
	ks->lan = NULL;
	ks->nlan = 0;
	free(ks->zones);
	ks->zones = NULL;
	ks->nzones = 0;
	free(ks->sources);
	ks->sources = NULL;
	ks->nsources = 0;
}
