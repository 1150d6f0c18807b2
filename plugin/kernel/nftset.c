// SPDX-License-Identifier: GPL-2.0-or-later
/* Sets of an inet table and their elements, built with libnftnl. */
#include <errno.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nftmsg.h"
#include "netaddr.h"
#include "nftset.h"

#define ELEMS_PER_MSG	200	/* keeps each message far below BATCH_MSG_MAX */

/* nft prints string keys (interface names) only when told they are in host
 * byte order; its own value for that is 1. */
#define NFT_BYTEORDER_HOST 1

struct nftnl_set *nftset_new(const char *table, const char *name, uint32_t type,
			     uint32_t keylen, uint32_t flags)
{
	static uint32_t set_id;
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	/* the kernel wants a transaction-unique id for every new set */
	nftnl_set_set_u32(s, NFTNL_SET_ID, ++set_id);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, keylen);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	return s;
}

int nftset_put(struct batch *b, struct nftnl_set *s, const char *comment)
{
	struct nftnl_udata_buf *udata = nftmsg_comment(NFTNL_UDATA_SET_COMMENT, comment);
	char what[BATCH_WHAT_MAX];
	int ret = -ENOMEM;

	if (!udata)
		goto out_set;
	if (nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE) == NFTSET_TYPE_IFNAME &&
	    !nftnl_udata_put_u32(udata, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_BYTEORDER_HOST))
		goto out_udata;
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(udata),
			   nftnl_udata_buf_len(udata));
	snprintf(what, sizeof(what), "set %s", nftnl_set_get_str(s, NFTNL_SET_NAME));
	ret = nftmsg_put(b, NFT_MSG_NEWSET, NLM_F_CREATE, what, NFTMSG_SET, s);
out_udata:
	nftnl_udata_buf_free(udata);
out_set:
	nftnl_set_free(s);
	return ret;
}

int nftset_put_empty(struct batch *b, const char *table, const char *name, uint32_t type,
		     uint32_t keylen, uint32_t flags, const char *comment)
{
	struct nftnl_set *s = nftset_new(table, name, type, keylen, flags);

	return s ? nftset_put(b, s, comment) : -ENOMEM;
}

/* each field padded to a 32-bit register */
static void port_key(uint8_t key[NFTSET_PORT_KEYLEN], uint8_t proto, uint16_t port)
{
	memset(key, 0, NFTSET_PORT_KEYLEN);
	key[0] = proto;
	key[4] = (uint8_t)(port >> 8);
	key[5] = (uint8_t)port;
}

static int elems_flush(struct nftset_elems *el)
{
	int ret = 0;

	if (el->cur && el->n) {
		char what[BATCH_WHAT_MAX];

		snprintf(what, sizeof(what), "%s of set %s", el->del ? "removing elements" : "elements",
			 el->set);
		ret = nftmsg_put(el->b, el->del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
				 el->del ? 0 : NLM_F_CREATE, what, NFTMSG_ELEMS, el->cur);
	}
	if (el->cur)
		nftnl_set_free(el->cur);
	el->cur = NULL;
	el->n = 0;
	return ret;
}

int nftset_elems_end(struct nftset_elems *el, int ret)
{
	int sent = elems_flush(el);

	return ret < 0 ? ret : sent;
}

struct nftnl_set_elem *nftset_elem_new(const void *key, uint32_t keylen, uint32_t flags,
				       const char *comment)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nftnl_udata_buf *udata;

	if (!e)
		return NULL;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, keylen);
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	if (!comment)
		return e;
	udata = nftmsg_comment(NFTNL_UDATA_SET_ELEM_COMMENT, comment);
	if (!udata) {
		nftnl_set_elem_free(e);
		return NULL;
	}
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(udata),
			   nftnl_udata_buf_len(udata));
	nftnl_udata_buf_free(udata);
	return e;
}

int nftset_elems_push(struct nftset_elems *el, struct nftnl_set_elem *e)
{
	if (!e)
		return -ENOMEM;
	if (el->n == ELEMS_PER_MSG && elems_flush(el) < 0)
		goto out_elem;
	if (!el->cur) {
		el->cur = nftnl_set_alloc();
		if (!el->cur)
			goto out_elem;
		nftnl_set_set_u32(el->cur, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_str(el->cur, NFTNL_SET_TABLE, el->table);
		nftnl_set_set_str(el->cur, NFTNL_SET_NAME, el->set);
	}
	nftnl_set_elem_add(el->cur, e);
	el->n++;
	return 0;
out_elem:
	nftnl_set_elem_free(e);
	return -ENOMEM;
}

static int elems_add(struct nftset_elems *el, const void *key, uint32_t keylen, uint32_t flags,
		     const char *comment)
{
	return nftset_elems_push(el, nftset_elem_new(key, keylen, flags, comment));
}

int nftset_put_ifnames(struct batch *b, const char *table, const char *name,
		       const char (*names)[IFNAMSIZ], unsigned n, const char *comment)
{
	struct nftset_elems el = { .b = b, .table = table, .set = name };
	unsigned i;
	int ret;

	if (!n)
		return 0;
	ret = nftset_put_empty(b, table, name, NFTSET_TYPE_IFNAME, IFNAMSIZ, 0, comment);
	for (i = 0; ret == 0 && i < n; i++) {
		char key[IFNAMSIZ] = "";

		memcpy(key, names[i], strnlen(names[i], IFNAMSIZ - 1));
		ret = elems_add(&el, key, IFNAMSIZ, 0, NULL);
	}
	return nftset_elems_end(&el, ret);
}

int nftset_elems_add_port(struct nftset_elems *el, uint8_t proto, uint16_t port,
			  const char *comment)
{
	uint8_t key[NFTSET_PORT_KEYLEN];

	port_key(key, proto, port);
	return elems_add(el, key, sizeof(key), 0, comment);
}

void nftset_net_range(const struct config_net *net, struct nftset_range *r)
{
	unsigned len = (unsigned)netaddr_len(net->family), j;

	memset(r, 0, sizeof(*r));
	memcpy(r->lo, net->addr, len);
	memcpy(r->hi, net->addr, len);
	for (j = net->prefix; j < len * 8; j++)
		r->hi[j / 8] |= (uint8_t)(0x80u >> (j % 8));
}

/* hi + 1 into out; returns 0 when hi is the last address */
static int next_addr(uint8_t *out, const uint8_t *hi, unsigned len)
{
	int i;

	memcpy(out, hi, len);
	for (i = (int)len - 1; i >= 0; i--)
		if (++out[i] != 0)
			return 1;
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	return memcmp(((const struct nftset_range *)a)->lo, ((const struct nftset_range *)b)->lo, 16);
}

unsigned nftset_ranges_merge(struct nftset_range *r, unsigned n, unsigned len)
{
	unsigned i, j;

	if (n == 0)
		return 0;
	qsort(r, n, sizeof(*r), range_cmp);
	for (i = 1, j = 0; i < n; i++) {
		uint8_t after[16];

		/* overlapping or adjacent: extend the previous range */
		if (!next_addr(after, r[j].hi, len) || memcmp(r[i].lo, after, len) <= 0) {
			if (memcmp(r[i].hi, r[j].hi, len) > 0)
				memcpy(r[j].hi, r[i].hi, len);
		} else {
			r[++j] = r[i];
		}
	}
	return j + 1;
}

int nftset_elems_add_range(struct nftset_elems *el, const struct nftset_range *r,
			   unsigned len, const char *comment)
{
	uint8_t end[16];
	int ret = elems_add(el, r->lo, len, 0, comment);

	if (ret == 0 && next_addr(end, r->hi, len))
		ret = elems_add(el, end, len, NFT_SET_ELEM_INTERVAL_END, NULL);
	return ret;
}
