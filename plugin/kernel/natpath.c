// SPDX-License-Identifier: GPL-2.0-or-later
/* The ruleset as a graph, walked from the prerouting hook to every DNAT,
 * REDIRECT and TPROXY, so that a translation is tied to the matches that
 * lead to it: kube-proxy's KUBE-SEP DNAT carries no port match of its own,
 * the NodePort match sits in KUBE-NODEPORTS two jumps before it.  Pure:
 * the messages come from natread.c, or from a test. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fnv1a.h"
#include "natscan.h"

#define DEPTH_MAX	32		/* the kernel allows 16 nested jumps */
#define STEPS_MAX	(1u << 20)	/* rule visits of one walk */
#define PATHS_MAX	(1u << 18)	/* translations found by one walk, before grouping */
#define KEY_MAX		64

struct elem {
	uint8_t key[KEY_MAX], key_end[KEY_MAX];
	uint32_t klen, kend_len;
	int interval_end;
	int32_t code;		/* a verdict map's verdict */
	char *chain;
};

struct node {
	unsigned nfproto;
	char *table, *name;
	int base;		/* a base chain at the prerouting hook */
	int wanted, read;
	struct natscan_rule *rules;	/* chains */
	unsigned nrules, cap;
	struct elem *elems;		/* sets */
	unsigned nelems, ecap;
};

struct index {
	struct node *v;
	unsigned n, cap;
	unsigned *slot;		/* node number + 1, open addressing */
	unsigned nslots;
};

struct natscan_model {
	struct index chains, sets;
	unsigned next_chain, next_set;	/* where natscan_model_next() looks on */
	natscan_local_fn local;
	const void *local_ctx;
};

void natscan_model_local(struct natscan_model *m, natscan_local_fn fn, const void *ctx)
{
	m->local = fn;
	m->local_ctx = ctx;
}

/* A rule matching one destination that is not the host's: what it leads
 * to is not wanted when only the host's own addresses count. */
static int elsewhere(const struct natscan_model *m, const struct natscan_rule *r)
{
	const struct natscan_cond *c = &r->cond;

	return m->local && r->family && c->daddr_prefix == (r->family == AF_INET ? 32 : 128) &&
	       !m->local(m->local_ctx, r->family, c->daddr);
}

static uint32_t name_hash(unsigned nfproto, const char *table, const char *name)
{
	uint32_t h = fnv1a(FNV1A_START ^ nfproto, table, strlen(table));

	return fnv1a(fnv1a(h, "/", 1), name, strlen(name));
}

static struct node *find(const struct index *x, unsigned nfproto, const char *table, const char *name)
{
	unsigned h;

	if (!x->nslots)
		return NULL;
	for (h = name_hash(nfproto, table, name) & (x->nslots - 1); x->slot[h];
	     h = (h + 1) & (x->nslots - 1)) {
		struct node *n = &x->v[x->slot[h] - 1];

		if (n->nfproto == nfproto && !strcmp(n->table, table) && !strcmp(n->name, name))
			return n;
	}
	return NULL;
}

static void slot_in(struct index *x, unsigned i)
{
	const struct node *n = &x->v[i];
	unsigned h = name_hash(n->nfproto, n->table, n->name) & (x->nslots - 1);

	while (x->slot[h])
		h = (h + 1) & (x->nslots - 1);
	x->slot[h] = i + 1;
}

/* The node, added when new; NULL when memory ran out. */
static struct node *get(struct index *x, unsigned nfproto, const char *table, const char *name)
{
	struct node *n = find(x, nfproto, table, name);

	if (n)
		return n;
	if (2 * (x->n + 1) > x->nslots) {
		unsigned nslots = x->nslots ? 2 * x->nslots : 256;
		unsigned *slot = calloc(nslots, sizeof(*slot)), i;

		if (!slot)
			return NULL;
		free(x->slot);
		x->slot = slot;
		x->nslots = nslots;
		for (i = 0; i < x->n; i++)
			slot_in(x, i);
	}
	if (x->n == x->cap) {
		unsigned cap = x->cap ? 2 * x->cap : 64;
		struct node *v = realloc(x->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		x->v = v;
		x->cap = cap;
	}
	n = &x->v[x->n];
	memset(n, 0, sizeof(*n));
	n->nfproto = nfproto;
	n->table = strdup(table);
	n->name = strdup(name);
	if (!n->table || !n->name) {
		free(n->table);
		free(n->name);
		return NULL;
	}
	slot_in(x, x->n++);
	return n;
}

static void index_free(struct index *x)
{
	unsigned i, j;

	for (i = 0; i < x->n; i++) {
		struct node *n = &x->v[i];

		for (j = 0; j < n->nrules; j++)
			natscan_rule_free(&n->rules[j]);
		for (j = 0; j < n->nelems; j++)
			free(n->elems[j].chain);
		free(n->rules);
		free(n->elems);
		free(n->table);
		free(n->name);
	}
	free(x->v);
	free(x->slot);
}

struct natscan_model *natscan_model_new(void)
{
	return calloc(1, sizeof(struct natscan_model));
}

void natscan_model_free(struct natscan_model *m)
{
	if (!m)
		return;
	index_free(&m->chains);
	index_free(&m->sets);
	free(m);
}

/* ---- messages --------------------------------------------------------- */

#define ATTR_MAX 16

struct attrs {
	const struct nlattr *tb[ATTR_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *a = data;

	if (mnl_attr_get_type(attr) <= ATTR_MAX)
		a->tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static const char *str_attr(const struct attrs *a, int type)
{
	if (!a->tb[type] || mnl_attr_validate(a->tb[type], MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(a->tb[type]);
}

static int nested(const struct attrs *a, int type, struct attrs *in)
{
	memset(in, 0, sizeof(*in));
	return a->tb[type] && mnl_attr_validate(a->tb[type], MNL_TYPE_NESTED) == 0 &&
	       mnl_attr_parse_nested(a->tb[type], attr_cb, in) >= 0;
}

static uint32_t u32_attr(const struct attrs *a, int type, uint32_t def)
{
	if (!a->tb[type] || mnl_attr_validate(a->tb[type], MNL_TYPE_U32) < 0)
		return def;
	return ntohl(mnl_attr_get_u32(a->tb[type]));
}

/* The nf_tables message of type and its family, or NULL. */
static const struct nfgenmsg *nft_msg(const struct nlmsghdr *nlh, int type, struct attrs *a)
{
	memset(a, 0, sizeof(*a));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != type ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, a) < 0)
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

int natscan_model_chain(struct natscan_model *m, const struct nlmsghdr *nlh)
{
	struct attrs a, hook;
	const struct nfgenmsg *nfg = nft_msg(nlh, NFT_MSG_NEWCHAIN, &a);
	const char *table = str_attr(&a, NFTA_CHAIN_TABLE), *name = str_attr(&a, NFTA_CHAIN_NAME);
	struct node *n;

	if (!nfg || !table || !name)
		return 0;
	n = get(&m->chains, nfg->nfgen_family, table, name);
	if (!n)
		return -ENOMEM;
	/* a netdev or bridge chain sees no IP destination NAT */
	if (nested(&a, NFTA_CHAIN_HOOK, &hook) &&
	    u32_attr(&hook, NFTA_HOOK_HOOKNUM, ~0u) == NF_INET_PRE_ROUTING &&
	    (nfg->nfgen_family == NFPROTO_IPV4 || nfg->nfgen_family == NFPROTO_IPV6 ||
	     nfg->nfgen_family == NFPROTO_INET))
		n->base = n->wanted = 1;
	return 0;
}

/* Marks a node wanted, and makes natscan_model_next() look back to it. */
static int want(struct index *x, unsigned *next, unsigned nfproto, const char *table,
		const char *name)
{
	struct node *n = get(x, nfproto, table, name);
	unsigned i;

	if (!n)
		return -ENOMEM;
	i = (unsigned)(n - x->v);
	if (!n->wanted && i < *next)
		*next = i;
	n->wanted = 1;
	return 0;
}

static int want_chain(struct natscan_model *m, unsigned nfproto, const char *table, const char *name)
{
	return want(&m->chains, &m->next_chain, nfproto, table, name);
}

int natscan_model_rule(struct natscan_model *m, const struct nlmsghdr *nlh)
{
	struct natscan_rule r;
	struct node *n;
	int ret = natscan_rule_parse(nlh, &r);

	if (ret <= 0)
		return ret;
	n = get(&m->chains, r.nfproto, r.table, r.chain);
	ret = n ? 0 : -ENOMEM;
	if (ret == 0 && elsewhere(m, &r))
		r.contradictory = 1;	/* left out of the walk as well */
	if (ret == 0 && r.target && !r.contradictory)
		ret = want_chain(m, r.nfproto, r.table, r.target);
	if (ret == 0 && r.set && !r.contradictory)
		ret = want(&m->sets, &m->next_set, r.nfproto, r.table, r.set);
	/* get() may have moved the chains: find the rule's again */
	if (ret == 0)
		n = find(&m->chains, r.nfproto, r.table, r.chain);
	if (ret == 0 && n->nrules == n->cap) {
		unsigned cap = n->cap ? 2 * n->cap : 8;
		struct natscan_rule *v = realloc(n->rules, cap * sizeof(*v));

		if (v) {
			n->rules = v;
			n->cap = cap;
		} else {
			ret = -ENOMEM;
		}
	}
	if (ret < 0) {
		natscan_rule_free(&r);
		return ret;
	}
	n->rules[n->nrules++] = r;
	return 0;
}

static int data_value(const struct attrs *a, int type, uint8_t *out, uint32_t *len)
{
	struct attrs d;

	if (!nested(a, type, &d) || !d.tb[NFTA_DATA_VALUE])
		return 0;
	*len = mnl_attr_get_payload_len(d.tb[NFTA_DATA_VALUE]);
	if (*len == 0 || *len > KEY_MAX)
		return 0;
	memcpy(out, mnl_attr_get_payload(d.tb[NFTA_DATA_VALUE]), *len);
	return 1;
}

static int add_elem(struct natscan_model *m, struct node *set, const struct nlattr *attr)
{
	struct attrs a, data, v;
	struct elem e;

	memset(&e, 0, sizeof(e));
	memset(&a, 0, sizeof(a));
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, attr_cb, &a) < 0 ||
	    !data_value(&a, NFTA_SET_ELEM_KEY, e.key, &e.klen))
		return 0;
	data_value(&a, NFTA_SET_ELEM_KEY_END, e.key_end, &e.kend_len);
	e.interval_end = !!(u32_attr(&a, NFTA_SET_ELEM_FLAGS, 0) & NFT_SET_ELEM_INTERVAL_END);
	e.code = NFT_CONTINUE;
	if (nested(&a, NFTA_SET_ELEM_DATA, &data) && nested(&data, NFTA_DATA_VERDICT, &v)) {
		const char *chain = str_attr(&v, NFTA_VERDICT_CHAIN);

		e.code = (int32_t)u32_attr(&v, NFTA_VERDICT_CODE, (uint32_t)NFT_CONTINUE);
		if (chain && (e.code == NFT_JUMP || e.code == NFT_GOTO)) {
			if (want_chain(m, set->nfproto, set->table, chain) < 0 || !(e.chain = strdup(chain)))
				return -ENOMEM;
		}
	}
	if (set->nelems == set->ecap) {
		unsigned cap = set->ecap ? 2 * set->ecap : 16;
		struct elem *grown = realloc(set->elems, cap * sizeof(*grown));

		if (!grown) {
			free(e.chain);
			return -ENOMEM;
		}
		set->elems = grown;
		set->ecap = cap;
	}
	set->elems[set->nelems++] = e;
	return 0;
}

int natscan_model_elems(struct natscan_model *m, const struct nlmsghdr *nlh)
{
	struct attrs a;
	const struct nfgenmsg *nfg = nft_msg(nlh, NFT_MSG_NEWSETELEM, &a);
	const char *table = str_attr(&a, NFTA_SET_ELEM_LIST_TABLE);
	const char *name = str_attr(&a, NFTA_SET_ELEM_LIST_SET);
	const struct nlattr *attr;
	struct node *set;

	if (!nfg || !table || !name || !a.tb[NFTA_SET_ELEM_LIST_ELEMENTS] ||
	    mnl_attr_validate(a.tb[NFTA_SET_ELEM_LIST_ELEMENTS], MNL_TYPE_NESTED) < 0)
		return 0;
	set = find(&m->sets, nfg->nfgen_family, table, name);
	if (!set)
		return 0;	/* not asked for */
	mnl_attr_for_each_nested(attr, a.tb[NFTA_SET_ELEM_LIST_ELEMENTS]) {
		/* want_chain() may move the chains, never the sets */
		int ret = add_elem(m, set, attr);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/* ---- what to read --------------------------------------------------------- */

int natscan_model_next(struct natscan_model *m, struct natscan_want *w)
{
	for (; m->next_chain < m->chains.n; m->next_chain++) {
		const struct node *n = &m->chains.v[m->next_chain];

		if (n->wanted && !n->read) {
			*w = (struct natscan_want){ n->nfproto, n->table, n->name, 0 };
			return 1;
		}
	}
	for (; m->next_set < m->sets.n; m->next_set++) {
		const struct node *n = &m->sets.v[m->next_set];

		if (n->wanted && !n->read) {
			*w = (struct natscan_want){ n->nfproto, n->table, n->name, 1 };
			return 1;
		}
	}
	return 0;
}

void natscan_model_done(struct natscan_model *m, const struct natscan_want *w)
{
	struct node *n = find(w->is_set ? &m->sets : &m->chains, w->nfproto, w->table, w->name);

	if (n)
		n->read = 1;
}

/* ---- the walk ------------------------------------------------------------- */

struct walk {
	const struct natscan_model *m;
	struct natscan_entry *v;
	unsigned n, cap;
	unsigned long steps;
	int nomem;
	const char *via[DEPTH_MAX];
	unsigned depth;
};

/* c &= r; 0 when nothing can match both */
static int narrow(struct natscan_cond *c, const struct natscan_cond *r)
{
	if (r->proto) {
		if (c->proto && c->proto != r->proto)
			return 0;
		c->proto = r->proto;
	}
	if (r->port_lo > c->port_lo)
		c->port_lo = r->port_lo;
	if (r->port_hi < c->port_hi)
		c->port_hi = r->port_hi;
	if (c->port_lo > c->port_hi)
		return 0;
	if (r->daddr_prefix) {
		unsigned bits = c->daddr_prefix < r->daddr_prefix ? c->daddr_prefix : r->daddr_prefix;
		unsigned whole = bits / 8, rest = bits % 8;

		if (memcmp(c->daddr, r->daddr, whole) ||
		    (rest && ((c->daddr[whole] ^ r->daddr[whole]) & (uint8_t)(0xff << (8 - rest)))))
			return 0;
		if (r->daddr_prefix > c->daddr_prefix) {
			memcpy(c->daddr, r->daddr, sizeof(c->daddr));
			c->daddr_prefix = r->daddr_prefix;
		}
	}
	c->local |= r->local;
	return 1;
}

static int family_of(unsigned nfproto)
{
	return nfproto == NFPROTO_IPV4 ? AF_INET : nfproto == NFPROTO_IPV6 ? AF_INET6 : 0;
}

static void emit(struct walk *w, const struct natscan_rule *r, const struct natscan_cond *c,
		 int family)
{
	struct natscan_entry *e;
	unsigned i;

	if (w->n == PATHS_MAX)
		return;	/* a ruleset past any real one: what was found stands */
	if (w->n == w->cap) {
		unsigned cap = w->cap ? 2 * w->cap : 64;
		struct natscan_entry *v = realloc(w->v, cap * sizeof(*v));

		if (!v) {
			w->nomem = 1;
			return;
		}
		w->v = v;
		w->cap = cap;
	}
	e = &w->v[w->n++];
	*e = r->nat;
	e->family = family;
	e->proto = c->proto;
	e->port_lo = c->port_lo;
	e->port_hi = c->port_hi;
	e->daddr_prefix = c->daddr_prefix;
	memcpy(e->daddr, c->daddr, sizeof(e->daddr));
	e->local = c->local;
	e->endpoints = 1;
	memset(e->via, 0, sizeof(e->via));
	/* via[0] is the base chain's first callee */
	for (i = 1; i < w->depth && i - 1 < NATSCAN_VIA_MAX; i++)
		snprintf(e->via[i - 1], sizeof(e->via[0]), "%s", w->via[i]);
}

static void walk_chain(struct walk *w, const struct node *chain, const struct natscan_cond *c,
		       int family);

static void walk_to(struct walk *w, const struct node *from, const char *name,
		    const struct natscan_cond *c, int family)
{
	const struct node *to = find(&w->m->chains, from->nfproto, from->table, name);

	if (to && w->depth < DEPTH_MAX)
		walk_chain(w, to, c, family);
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A verdict map: each element's key narrows the path, its verdict goes on. */
static void walk_vmap(struct walk *w, const struct node *chain, const struct natscan_rule *r,
		      const struct natscan_cond *c, int family)
{
	const struct node *set = find(&w->m->sets, chain->nfproto, chain->table, r->set);
	unsigned i, f;

	if (!set || w->depth >= DEPTH_MAX - 1)
		return;
	/* the map is named on the path, as a chain is: "service-nodeports" */
	w->via[w->depth++] = set->name;
	for (i = 0; i < set->nelems && !w->nomem; i++) {
		const struct elem *e = &set->elems[i];
		struct natscan_cond k;
		uint32_t off = 0;
		int fam = family, ok = 1;

		if (!e->chain)
			continue;
		memset(&k, 0, sizeof(k));
		k.port_hi = 65535;
		for (f = 0; f < r->nkey && ok; f++) {
			uint32_t len = r->key_len[f];

			if (off + len > e->klen)
				break;
			switch (r->key_field[f]) {
			case NATSCAN_KEY_L4PROTO:
				k.proto = e->key[off];
				break;
			case NATSCAN_KEY_DPORT:
				if (len == 2) {
					k.port_lo = be16(&e->key[off]);
					k.port_hi = e->kend_len >= off + 2 ? be16(&e->key_end[off]) : k.port_lo;
				}
				break;
			case NATSCAN_KEY_DADDR4:
			case NATSCAN_KEY_DADDR6:
				/* a range of addresses (key_end) is taken as any */
				if (!e->kend_len && len == (r->key_field[f] == NATSCAN_KEY_DADDR4 ? 4u : 16u)) {
					memcpy(k.daddr, &e->key[off], len);
					k.daddr_prefix = (uint8_t)(len * 8);
					fam = len == 4 ? AF_INET : AF_INET6;
					ok = !family || family == fam;
				}
				break;
			default:
				break;
			}
			off += (len + 3) & ~3u;
		}
		if (ok) {
			struct natscan_cond next = *c;

			if (narrow(&next, &k))
				walk_to(w, chain, e->chain, &next, fam);
		}
	}
	w->depth--;
}

static void act(struct walk *w, const struct node *chain, const struct natscan_rule *r,
		const struct natscan_cond *c, int family)
{
	switch (r->action) {
	case NATSCAN_DNAT:
	case NATSCAN_REDIRECT:
	case NATSCAN_TPROXY:
		if (family)
			emit(w, r, c, family);
		else if (r->action == NATSCAN_REDIRECT) {
			emit(w, r, c, AF_INET);	/* inet: both families */
			emit(w, r, c, AF_INET6);
		}
		break;
	case NATSCAN_JUMP:
	case NATSCAN_GOTO:
		walk_to(w, chain, r->target, c, family);
		break;
	case NATSCAN_VMAP:
		walk_vmap(w, chain, r, c, family);
		break;
	default:
		break;
	}
}

/* "tcp dport { 80, 443 } ...": once per element (or interval) of the set */
static void walk_port_set(struct walk *w, const struct node *chain, const struct natscan_rule *r,
			  const struct natscan_cond *c, int family)
{
	const struct node *set = find(&w->m->sets, chain->nfproto, chain->table, r->set);
	int intervals = 0;
	unsigned i, j;

	for (i = 0; set && i < set->nelems; i++)
		intervals |= set->elems[i].interval_end;
	for (i = 0; set && i < set->nelems && !w->nomem; i++) {
		const struct elem *e = &set->elems[i];
		struct natscan_cond next = *c, k;

		if (e->interval_end || e->klen < 2)
			continue;
		memset(&k, 0, sizeof(k));
		k.port_lo = be16(e->key);
		k.port_hi = e->kend_len >= 2 ? be16(e->key_end) : k.port_lo;
		/* an interval set's start, ended by the next end element (exclusive) */
		if (intervals && !e->kend_len) {
			unsigned end = 65536;

			for (j = 0; j < set->nelems; j++) {
				const struct elem *x = &set->elems[j];

				if (x->interval_end && x->klen >= 2 && be16(x->key) > k.port_lo &&
				    be16(x->key) < end)
					end = be16(x->key);
			}
			k.port_hi = (uint16_t)(end - 1);
		}
		if (narrow(&next, &k))
			act(w, chain, r, &next, family);
	}
}

static void walk_chain(struct walk *w, const struct node *chain, const struct natscan_cond *c,
		       int family)
{
	unsigned i;

	w->via[w->depth++] = chain->name;
	for (i = 0; i < chain->nrules && !w->nomem && w->steps < STEPS_MAX; i++) {
		const struct natscan_rule *r = &chain->rules[i];
		struct natscan_cond next = *c;
		int fam = family;

		w->steps++;
		if (r->contradictory)
			continue;
		if (r->family) {
			if (family && family != r->family)
				continue;
			fam = r->family;
		}
		if (!narrow(&next, &r->cond))
			continue;
		if (r->port_set)
			walk_port_set(w, chain, r, &next, fam);
		else
			act(w, chain, r, &next, fam);
		/* an unconditional accept, drop, return or goto ends the chain */
		if (!r->conditional && (r->action == NATSCAN_STOP || r->action == NATSCAN_GOTO))
			break;
	}
	w->depth--;
}

/* Paths to the same match are one published port: a Service's pods are
 * its endpoints. */
static int by_match(const void *a, const void *b)
{
	const struct natscan_entry *x = a, *y = b;
	int d;

	if ((d = x->family - y->family) || (d = (int)x->proto - (int)y->proto) ||
	    (d = (int)x->port_lo - (int)y->port_lo) || (d = (int)x->port_hi - (int)y->port_hi) ||
	    (d = (int)x->daddr_prefix - (int)y->daddr_prefix) ||
	    (d = memcmp(x->daddr, y->daddr, sizeof(x->daddr))) || (d = (int)x->local - (int)y->local) ||
	    (d = (int)x->action - (int)y->action) || (d = strcmp(x->table, y->table)) ||
	    (d = memcmp(x->to_addr, y->to_addr, sizeof(x->to_addr))))
		return d;
	return (int)x->to_lo - (int)y->to_lo;
}

static int same_match(const struct natscan_entry *x, const struct natscan_entry *y)
{
	return x->family == y->family && x->proto == y->proto && x->port_lo == y->port_lo &&
	       x->port_hi == y->port_hi && x->daddr_prefix == y->daddr_prefix &&
	       !memcmp(x->daddr, y->daddr, sizeof(x->daddr)) && x->local == y->local &&
	       x->action == y->action && !strcmp(x->table, y->table);
}

static unsigned group(struct natscan_entry *v, unsigned n)
{
	unsigned i, out = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), by_match);
	for (i = 0; i < n; i++) {
		struct natscan_entry *g = out ? &v[out - 1] : NULL;

		if (g && same_match(g, &v[i])) {
			/* sorted by target: a new one differs from the last */
			if (memcmp(v[i].to_addr, v[i - 1].to_addr, sizeof(v[i].to_addr)) ||
			    v[i].to_lo != v[i - 1].to_lo)
				g->endpoints++;
			continue;
		}
		v[out++] = v[i];
	}
	return out;
}

int natscan_model_walk(const struct natscan_model *m, struct natscan_list *out)
{
	struct walk w;
	unsigned i;

	memset(&w, 0, sizeof(w));
	w.m = m;
	for (i = 0; i < m->chains.n && !w.nomem; i++) {
		const struct node *n = &m->chains.v[i];
		struct natscan_cond any;

		if (!n->base)
			continue;
		memset(&any, 0, sizeof(any));
		any.port_hi = 65535;
		walk_chain(&w, n, &any, family_of(n->nfproto));
	}
	if (w.nomem) {
		free(w.v);
		return -ENOMEM;
	}
	free(out->v);
	out->v = w.v;
	out->n = group(w.v, w.n);
	return 0;
}
