/*
 * tests/pkt: a scripted packet runner for lib/net (packetdrill's idea, our
 * own code). A script is a list of timed lines; each injects a frame,
 * expects one the stack sent, or calls the stack's API as a program would.
 * The clock is virtual: the runner calls net_poll once per millisecond.
 * README.md describes the language.
 *
 * Files: pktrun.c (the driver: clock, fake port, line dispatch),
 * pkt_parse.c (the line scanner and the packet-line grammar), pkt_wire.c
 * (building frames to inject, decoding and matching frames sent),
 * pkt_app.c (the "app" lines: the stack's TCP and UDP API).
 */
#ifndef PKT_H
#define PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "net_impl.h"

#define PKT_MAX_OPTS	16
#define PKT_MAX_CONNS	32
#define PKT_MAX_FRAMES	512	/* frames sent but not yet matched */
#define PKT_RAW_MAX	1600

/* TCP header flags (RFC 9293 §3.1; ECE and CWR from RFC 3168) */
#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10
#define TH_URG	0x20
#define TH_ECE	0x40
#define TH_CWR	0x80

/* TCP option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018) */
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MSS	2
#define TCPOPT_WSCALE	3
#define TCPOPT_SACKOK	4
#define TCPOPT_TS	8
#define PKT_OPT_RAW	256	/* bytes written as they are */

/* A number in a script: absent, "*" (anything), or a value. */
struct pkt_val {
	bool set, any;
	uint32_t v;
};

struct pkt_opt {
	uint16_t kind;			/* TCPOPT_* or PKT_OPT_RAW */
	bool any;			/* value written as "*" */
	uint32_t a, b;			/* mss; shift; ts val and ecr */
	uint8_t raw[40];
	uint8_t rawlen;
};

/* One TCP segment as a line describes it. */
struct pkt_tcp {
	uint8_t flags;
	uint32_t seq, len;		/* relative start and payload bytes */
	struct pkt_val ack, win, urg;
	bool has_opts;			/* "<...>" present */
	unsigned nopts;
	struct pkt_opt opt[PKT_MAX_OPTS];
	/* injecting only: fields that lie */
	long doff;			/* -1: the true data offset */
	long iplen;			/* -1: the true IP total length */
	long pad;			/* -1: pad the frame to 60 bytes */
	long ttl;
	bool badsum;
};

struct pkt_udp {
	uint16_t sport, dport;
	uint32_t len;
	long pad;
};

#define PKT_ICMP_ECHO_REPLY	0
#define PKT_ICMP_UNREACH	3
#define PKT_ICMP_ECHO		8
struct pkt_icmp {
	uint8_t type, code;
	uint16_t id, seq;
	uint32_t len;			/* echo payload bytes */
};

enum pkt_kind {
	PKT_TCP, PKT_UDP, PKT_ICMP, PKT_RAW_IP, PKT_RAW_ETH, PKT_NONE,
};

/* A parsed "<" or ">" line. */
struct pkt_line {
	enum pkt_kind kind;
	bool out;			/* ">": expect from the stack */
	struct pkt_tcp tcp;
	struct pkt_udp udp;
	struct pkt_icmp icmp;
	uint8_t raw[PKT_RAW_MAX];
	size_t rawlen;
};

/* A connection as the script sees it: the peer's port picks it. */
struct pkt_conn {
	bool used;
	uint16_t lport, rport;		/* the stack's port, the peer's */
	uint32_t peer_isn;		/* our side's sequence numbers start here */
	uint32_t stack_isn;		/* learned from the stack's SYN */
	bool isn_known;
	struct tcp_conn *c;		/* the API handle, once we have one */
	bool connected, closed;
	int closed_err;
	unsigned readable_events, writable_events;
	uint64_t rd_off, wr_off;	/* stream bytes the app read / wrote */
};

/* A frame the stack handed to tx, with the virtual time it was sent. */
struct pkt_frame {
	uint64_t t;
	uint16_t len;
	uint8_t b[NET_FRAME_BUF];
};

struct pkt_run {
	const char *file;
	int lineno;
	bool verbose;

	/* config, before the stack exists */
	struct net_config cfg;
	uint64_t seed;
	uint32_t tolerance;		/* ms either side of an expected time */

	/* the peer host */
	net_ip4 peer_ip;
	uint8_t peer_mac[6];
	uint16_t ip_id;

	struct net *n;
	void *mem;
	uint64_t now;			/* virtual ms since the script started */
	uint64_t line_t;		/* the current line's script time */

	struct pkt_frame *q;		/* frames sent, oldest first */
	unsigned nq;
	uint8_t arp_pending[4][64];	/* ARP replies to inject after a flush */
	uint16_t arp_pending_len[4];
	unsigned narp;

	struct pkt_conn conn[PKT_MAX_CONNS];
	struct pkt_conn *cur;
	uint16_t default_lport;
	struct tcp_conn *listener;
	struct udp_sock *udp;
};

/* A cursor over one line of script text. */
struct pkt_scan {
	const char *p;
};

/* pktrun.c */
void pkt_fail(struct pkt_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void pkt_trace(struct pkt_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pkt_inject(struct pkt_run *r, const uint8_t *frame, size_t len);
void pkt_settle(struct pkt_run *r);
struct pkt_conn *pkt_conn_find(struct pkt_run *r, uint16_t rport, bool create);

/* pkt_parse.c */
void scan_ws(struct pkt_scan *s);
bool scan_end(struct pkt_scan *s);
bool scan_char(struct pkt_scan *s, char c);
bool scan_word(struct pkt_scan *s, const char *w);
bool scan_u32(struct pkt_scan *s, uint32_t *v);
bool scan_token(struct pkt_scan *s, char *buf, size_t cap);
bool scan_time(struct pkt_scan *s, uint64_t base, uint64_t *t);
bool parse_ip4_mask(const char *s, net_ip4 *ip, net_ip4 *mask);
bool parse_mac(const char *s, uint8_t mac[6]);
const char *parse_packet(struct pkt_scan *s, struct pkt_line *l);
int parse_err_name(const char *s, long *v);
const char *err_name(long v);

/* pkt_wire.c */
uint8_t pkt_pattern(bool from_stack, uint64_t off);
size_t build_tcp(struct pkt_run *r, const struct pkt_conn *pc, const struct pkt_tcp *t,
		 uint8_t *f);
size_t build_udp(struct pkt_run *r, const struct pkt_udp *u, uint8_t *f);
size_t build_icmp(struct pkt_run *r, const struct pkt_icmp *ic, uint8_t *f);
size_t build_arp(struct pkt_run *r, uint16_t op, const uint8_t *tha, net_ip4 tpa, uint8_t *f);
bool wire_is_arp(const uint8_t *f, size_t len);
void wire_arp_seen(struct pkt_run *r, const uint8_t *f, size_t len);
const char *match_frame(struct pkt_run *r, const struct pkt_line *l, const struct pkt_frame *fr);
void format_frame(struct pkt_run *r, const uint8_t *f, size_t len, bool out, char *buf,
		  size_t cap);

/* pkt_app.c */
void app_line(struct pkt_run *r, struct pkt_scan *s);

#endif
