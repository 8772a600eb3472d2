/*
 * The DNS client's wire format (RFC 1035 §4): names, queries and the
 * reply parser, apart from the query table so tests and the fuzz target
 * can reach them. dns.c has the design.
 */
#ifndef PITH_LIB_NET_DNS_H
#define PITH_LIB_NET_DNS_H

#include "net_impl.h"

#define DNS_PORT	53	/* RFC 1035 §4.2.1 */
#define DNS_HDR		12	/* RFC 1035 §4.1.1 */
#define DNS_NAME_MAX	255	/* a name in wire format, RFC 1035 §2.3.4 */
#define DNS_LABEL_MAX	63	/* RFC 1035 §2.3.4 */
#define DNS_PTR_MAX	16	/* compression pointers followed in one name */
#define DNS_TYPE_A	1	/* RFC 1035 §3.2.2 */
#define DNS_TYPE_CNAME	5
#define DNS_CLASS_IN	1	/* RFC 1035 §3.2.4 */
#define DNS_QUERY_MAX	(DNS_HDR + DNS_NAME_MAX + 4)

/* "www.Example.com." -> 3www7example3com0, lower-cased; its length, or
 * B_EINVAL (empty label, label over 63, name over 255, a byte outside
 * letters, digits, '-' and '_'). */
int dns_encode_name(const char *name, uint8_t out[DNS_NAME_MAX]);

/* Reads the name at msg[off] (len bytes in msg), following at most
 * DNS_PTR_MAX compression pointers, each to an earlier offset
 * (RFC 1035 §4.1.4: a prior occurrence), into out, uncompressed and
 * lower-cased. Its length, with *end the offset just past the name where
 * it was; B_EINVAL for anything out of bounds, over 255 bytes, or with a
 * 0x40/0x80 label type. */
int dns_read_name(const uint8_t *msg, size_t len, size_t off, uint8_t out[DNS_NAME_MAX],
		  size_t *end);

/* Writes the query (recursion desired) for qname into buf (>=
 * DNS_QUERY_MAX bytes); its length. */
size_t dns_build_query(uint8_t *buf, uint16_t id, const uint8_t *qname, size_t qlen);

/* The reply p (len bytes) to the query id for qname: 0 with *ip and *ttl
 * (seconds) from the A record the question's name leads to, through
 * CNAMEs; B_ENOENT (NXDOMAIN, or no A record); B_EIO (a server error,
 * or truncated without an A record); B_EINVAL when it is not a well-formed
 * reply to that query (then it is ignored). */
int dns_parse_reply(const uint8_t *p, size_t len, uint16_t id, const uint8_t *qname,
		    size_t qlen, net_ip4 *ip, uint32_t *ttl);

#endif
