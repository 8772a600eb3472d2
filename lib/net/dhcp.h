/*
 * The DHCP client's states and its reply parser (RFC 2131, RFC 2132), for
 * net_ifinfo and the tests. dhcp.c has the design.
 *
 * (The enum is not called dhcp_state: that tag is the module's struct in
 * net_impl.h, and C gives struct and enum tags one namespace.)
 */
#ifndef PITH_LIB_NET_DHCP_H
#define PITH_LIB_NET_DHCP_H

#include "net_impl.h"

/* RFC 2131 §4.4, figure 5; 0 means no DHCP (a static address). */
enum dhcp_client_state {
	DHCP_OFF,
	DHCP_INIT,
	DHCP_SELECTING,
	DHCP_REQUESTING,
	DHCP_BOUND,
	DHCP_RENEWING,
	DHCP_REBINDING,
};

/* RFC 2131 §2, figure 1: the fixed part of a message. */
#define DHCP_OFF_OP	0
#define DHCP_OFF_HTYPE	1
#define DHCP_OFF_HLEN	2
#define DHCP_OFF_XID	4
#define DHCP_OFF_SECS	8
#define DHCP_OFF_FLAGS	10
#define DHCP_OFF_CIADDR	12
#define DHCP_OFF_YIADDR	16
#define DHCP_OFF_CHADDR	28
#define DHCP_OFF_SNAME	44	/* 64 bytes */
#define DHCP_OFF_FILE	108	/* 128 bytes */
#define DHCP_OFF_COOKIE	236
#define DHCP_OFF_OPTS	240
#define DHCP_SNAME_LEN	64
#define DHCP_FILE_LEN	128
#define DHCP_COOKIE	0x63825363u	/* 99.130.83.99, RFC 2131 §3 */

#define DHCP_SERVER_PORT	67	/* RFC 2131 §4.1 */
#define DHCP_CLIENT_PORT	68

/* RFC 2132 §9.6: message types */
#define DHCPDISCOVER	1
#define DHCPOFFER	2
#define DHCPREQUEST	3
#define DHCPDECLINE	4
#define DHCPACK		5
#define DHCPNAK		6

/* RFC 2132 option codes */
#define DHCP_OPT_PAD		0
#define DHCP_OPT_MASK		1	/* §3.3 */
#define DHCP_OPT_ROUTER		3	/* §3.5 */
#define DHCP_OPT_DNS		6	/* §3.8 */
#define DHCP_OPT_HOSTNAME	12	/* §3.14 */
#define DHCP_OPT_REQ_IP		50	/* §9.1 */
#define DHCP_OPT_LEASE		51	/* §9.2 */
#define DHCP_OPT_OVERLOAD	52	/* §9.3 */
#define DHCP_OPT_MSG_TYPE	53	/* §9.6 */
#define DHCP_OPT_SERVER_ID	54	/* §9.7 */
#define DHCP_OPT_PARAMS		55	/* §9.8 */
#define DHCP_OPT_T1		58	/* §9.11 */
#define DHCP_OPT_T2		59	/* §9.12 */
#define DHCP_OPT_CLIENT_ID	61	/* §9.14 */
#define DHCP_OPT_END		255

#define DHCP_LEASE_INFINITE	0xffffffffu	/* RFC 2131 §3.3 */

/* What a server's reply says; a field is 0 when its option was absent. */
struct dhcp_reply {
	uint8_t type;		/* DHCPOFFER, DHCPACK, DHCPNAK, ... */
	net_ip4 yiaddr, server_id, mask, router, dns;
	uint32_t lease_s, t1_s, t2_s;
	bool has_lease, has_t1, has_t2;
};

/* Checks p (len bytes of UDP payload) as a reply to our xid and MAC and
 * parses its options (the sname and file fields too when option 52 says
 * so). true when it is one, with a message type; false to drop it. */
bool dhcp_parse(const uint8_t *p, size_t len, uint32_t xid, const uint8_t mac[ETH_ALEN],
		struct dhcp_reply *out);

/* The exchange's transaction id (for tests that play the server). */
uint32_t dhcp_xid(const struct net *n);

#endif
