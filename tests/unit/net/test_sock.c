/*
 * The blocking-style API (lib/net/net_sock.c) on the virtual clock: the
 * harness's pump (dhcpt.h) first lets a scripted peer answer what the
 * stack sent, else moves the clock to the next timer. The peers: a DHCP
 * server, a DNS server, a UDP sender and a small TCP peer that answers
 * SYNs (or refuses them), acknowledges data and FINs and sends its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "dhcpt.h"
#include "dhcp.h"
#include "dns.h"

#define OUR_IP		NET_IP4(10, 0, 2, 15)
#define SERVER		NET_IP4(10, 0, 2, 2)
#define DNS_IP		NET_IP4(10, 0, 2, 3)
#define PEER_IP		NET_IP4(10, 0, 2, 100)
#define PEER_PORT	40000
#define PEER_ISS	7000000u
#define TH_FIN		0x01
#define TH_SYN		0x02
#define TH_RST		0x04
#define TH_PSH		0x08
#define TH_ACK		0x10

/* The scripted peers' state (one test at a time). */
static struct {
	/* DHCP */
	bool dhcp_on;
	/* DNS */
	bool dns_on;
	net_ip4 dns_answer;
	/* TCP */
	bool refuse, fin_back;
	uint16_t port;			/* the peer's */
	uint32_t seq, ack;		/* the peer's next, and what it acknowledges */
	uint8_t rx[65536];
	size_t rx_len;
	bool got_fin;
	const char *say;		/* sent once the connection is up */
	bool said;
} peer;

static struct dhcpt *start(bool dhcp)
{
	struct net_config cfg = { 0 };
	struct dhcpt *t;

	if (!dhcp) {
		cfg.ip = OUR_IP;
		cfg.netmask = NET_IP4(255, 255, 255, 0);
		cfg.gateway = SERVER;
		cfg.dns = DNS_IP;
	}
	t = dhcpt_new(&cfg);
	assert_non_null(t);
	memset(&peer, 0, sizeof peer);
	peer.port = PEER_PORT;
	return t;
}

/* ---- DHCP and DNS servers ---- */

static void dhcp_answer(struct dhcpt *t, const struct dhcpt_udp *u)
{
	static const uint8_t opts[] = {
		54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2,
		6, 4, 10, 0, 2, 3, 51, 4, 0, 0, 14, 16,
	};
	size_t olen;
	const uint8_t *type = dhcpt_dhcp_opt(u->data, u->len, DHCP_OPT_MSG_TYPE, &olen);
	uint8_t m[600];
	size_t len;

	if (!type)
		return;
	len = dhcpt_dhcp_reply(m, u->data, type[0] == DHCPDISCOVER ? DHCPOFFER : DHCPACK,
			       OUR_IP, opts, sizeof opts);
	dhcpt_inject_udp(t, SERVER, DHCP_SERVER_PORT, 0xffffffffu, DHCP_CLIENT_PORT, m, len);
}

static void dns_answer(struct dhcpt *t, const struct dhcpt_udp *u)
{
	uint8_t m[600];
	size_t len = u->len;
	static const uint8_t a[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };

	memcpy(m, u->data, len);
	put16(m + 2, 0x8180);
	put16(m + 6, 1);
	memcpy(m + len, a, sizeof a);
	put32(m + len + sizeof a, peer.dns_answer);
	len += sizeof a + 4;
	dhcpt_inject_udp(t, DNS_IP, DNS_PORT, OUR_IP, u->sport, m, len);
}

/* ---- the TCP peer ---- */

static void tcp_seg(struct dhcpt *t, uint16_t dport, uint8_t flags, const void *data,
		    size_t len)
{
	uint8_t f[NET_FRAME_BUF];
	uint8_t *ip = f + ETH_HDR, *th = f + NET_L4_OFF;
	uint16_t tlen = (uint16_t)(20 + len);

	memcpy(f, t->n->cfg.mac, ETH_ALEN);
	memcpy(f + 6, dhcpt_peer_mac, ETH_ALEN);
	put16(f + 12, ETHERTYPE_IP4);
	memset(ip, 0, IP4_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP4_HDR + tlen));
	ip[8] = 64;
	ip[9] = IP_PROTO_TCP;
	put32(ip + 12, PEER_IP);
	put32(ip + 16, OUR_IP);
	put16(ip + 10, cksum_fold(cksum_add(0, ip, IP4_HDR)));
	memset(th, 0, 20);
	put16(th, peer.port);
	put16(th + 2, dport);
	put32(th + 4, peer.seq);
	put32(th + 8, peer.ack);
	th[12] = 5 << 4;
	th[13] = flags;
	put16(th + 14, 65535);
	if (len)
		memcpy(th + 20, data, len);
	put16(th + 16, cksum_fold(cksum_add(cksum_pseudo(PEER_IP, OUR_IP, IP_PROTO_TCP, tlen),
					    th, tlen)));
	net_input(t->n, f, NET_L4_OFF + tlen);
	net_flush(t->n);
}

/* The peer's answer to one segment from the stack. */
static void tcp_peer(struct dhcpt *t, const uint8_t *th, size_t len)
{
	uint16_t sport = get16(th);
	uint32_t seq = get32(th + 4);
	uint8_t flags = th[13];
	size_t hl = (size_t)(th[12] >> 4) * 4, dlen = len - hl;

	if (flags & TH_RST)
		return;
	if ((flags & TH_SYN) && !(flags & TH_ACK)) {	/* nb_connect's SYN */
		peer.port = get16(th + 2);
		peer.ack = seq + 1;
		if (peer.refuse) {
			peer.seq = 0;
			tcp_seg(t, sport, TH_RST | TH_ACK, NULL, 0);
			return;
		}
		peer.seq = PEER_ISS;
		tcp_seg(t, sport, TH_SYN | TH_ACK, NULL, 0);
		peer.seq++;
		return;
	}
	if (flags & TH_SYN) {				/* SYN-ACK to our SYN */
		peer.ack = seq + 1;
		tcp_seg(t, sport, TH_ACK, NULL, 0);
	} else if (dlen && seq == peer.ack) {
		memcpy(peer.rx + peer.rx_len, th + hl, dlen);
		peer.rx_len += dlen;
		peer.ack += (uint32_t)dlen;
		tcp_seg(t, sport, TH_ACK, NULL, 0);
	}
	if ((flags & TH_FIN) && seq + dlen == peer.ack && !peer.got_fin) {
		peer.got_fin = true;
		peer.ack++;
		tcp_seg(t, sport, TH_ACK | (peer.fin_back ? TH_FIN : 0), NULL, 0);
		if (peer.fin_back)
			peer.seq++;
	}
	if (peer.say && !peer.said && (flags & TH_ACK)) {
		peer.said = true;
		tcp_seg(t, sport, TH_ACK | TH_PSH, peer.say, strlen(peer.say));
		peer.seq += (uint32_t)strlen(peer.say);
	}
}

/* Every scripted peer: answers each frame the stack sent. */
static bool peers(struct dhcpt *t)
{
	uint8_t f[NET_FRAME_BUF];
	size_t len;
	bool did = false;

	while ((len = dhcpt_pop(t, f)) > 0) {
		const uint8_t *ip = f + ETH_HDR;
		did = true;
		if (len < NET_L4_OFF + 8 || get16(f + 12) != ETHERTYPE_IP4)
			continue;
		if (ip[9] == IP_PROTO_TCP && len >= NET_L4_OFF + 20 && get32(ip + 16) == PEER_IP) {
			tcp_peer(t, ip + IP4_HDR, get16(ip + 2) - IP4_HDR);
			continue;
		}
		if (ip[9] != IP_PROTO_UDP)
			continue;
		struct dhcpt_udp u;
		u.sport = get16(ip + IP4_HDR);
		u.dport = get16(ip + IP4_HDR + 2);
		u.len = get16(ip + IP4_HDR + 4) - 8u;
		memcpy(u.data, ip + IP4_HDR + 8, u.len);
		if (peer.dhcp_on && u.dport == DHCP_SERVER_PORT)
			dhcp_answer(t, &u);
		if (peer.dns_on && u.dport == DNS_PORT)
			dns_answer(t, &u);
	}
	return did;
}

/* ---- the tests ---- */

static void test_wait_address(void **state)
{
	struct dhcpt *t = start(true);
	uint64_t t0 = t->now;

	(void)state;
	/* nobody answers: B_ETIMEDOUT exactly at the timeout */
	t->peer = peers;
	assert_int_equal(nb_wait_address(t->n, 30000), B_ETIMEDOUT);
	assert_int_equal(t->now, t0 + 30000);
	/* a server: the address comes at the next DISCOVER */
	peer.dhcp_on = true;
	assert_int_equal(nb_wait_address(t->n, 60000), 0);
	assert_true(t->now < t0 + 30000 + 60000);
	struct net_ifinfo info;
	net_ifinfo(t->n, &info);
	assert_int_equal(info.ip, OUR_IP);
	assert_int_equal(info.dhcp_state, DHCP_BOUND);
	/* already there: at once */
	t0 = t->now;
	assert_int_equal(nb_wait_address(t->n, 0), 0);
	assert_int_equal(t->now, t0);
	dhcpt_free(t);
}

static void test_resolve(void **state)
{
	struct dhcpt *t = start(false);
	net_ip4 ip = 0;

	(void)state;
	t->peer = peers;
	peer.dns_on = true;
	peer.dns_answer = NET_IP4(192, 0, 2, 80);
	assert_int_equal(nb_resolve(t->n, "web.example", &ip, 5000), 0);
	assert_int_equal(ip, NET_IP4(192, 0, 2, 80));
	assert_int_equal(nb_resolve(t->n, "10.9.8.7", &ip, 0), 0);
	assert_int_equal(ip, NET_IP4(10, 9, 8, 7));
	assert_int_equal(nb_resolve(t->n, "bad..name", &ip, 5000), B_EINVAL);
	/* the server is gone: our timeout first, then the query is dropped */
	peer.dns_on = false;
	uint64_t t0 = t->now;
	assert_int_equal(nb_resolve(t->n, "other.example", &ip, 1000), B_ETIMEDOUT);
	assert_int_equal(t->now, t0 + 1000);
	assert_int_equal(dns_next_timer(t->n), UINT64_MAX);
	dhcpt_advance(t, 10000);	/* no late done into a dead frame */
	/* the DNS's own timeout (3 x 2 s) when ours is longer */
	assert_int_equal(nb_resolve(t->n, "other.example", &ip, 60000), B_ETIMEDOUT);
	assert_true(t->now - t0 < 1000 + 10000 + 7000);
	dhcpt_free(t);
}

/* A peer that sends one datagram when the clock passes 1.5 s. */
static bool udp_later(struct dhcpt *t)
{
	static bool sent;

	if (t->now < 2500 || sent)
		return peers(t);
	sent = true;
	dhcpt_inject_udp(t, PEER_IP, 9999, OUR_IP, 7000, "ping", 4);
	return true;
}

static void test_udp_recv(void **state)
{
	struct dhcpt *t = start(false);
	struct udp_sock *s = udp_open(t->n, 7000, NULL, NULL);
	char buf[16];
	net_ip4 src;
	uint16_t sport;

	(void)state;
	assert_non_null(s);
	assert_ptr_equal(udp_sock_net(s), t->n);
	t->peer = udp_later;
	assert_int_equal(nb_udp_recv(s, buf, sizeof buf, &src, &sport, 1000), B_ETIMEDOUT);
	assert_int_equal(nb_udp_recv(s, buf, sizeof buf, &src, &sport, 5000), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_int_equal(src, PEER_IP);
	assert_int_equal(sport, 9999);
	assert_true(t->now >= 2500);	/* the pump jumps to the next timer or the deadline */
	udp_close(s);
	dhcpt_free(t);
}

static void test_connect_write_read_close(void **state)
{
	struct dhcpt *t = start(false);
	static char big[40000];
	char buf[64];
	int err = 1;

	(void)state;
	t->peer = peers;
	peer.say = "hello";
	peer.fin_back = true;
	struct tcp_conn *c = nb_connect(t->n, PEER_IP, 80, 5000, &err);
	assert_non_null(c);
	assert_int_equal(err, 0);
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	/* more than the send buffer: nb_write waits for ACKs */
	assert_int_equal(nb_write(c, big, sizeof big, 10000), (long)sizeof big);
	long r = nb_read(c, buf, sizeof buf, 5000);
	assert_int_equal(r, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(nb_read(c, buf, sizeof buf, 200), B_ETIMEDOUT);
	assert_int_equal(nb_close(c, 5000), 0);
	for (int i = 0; i < 50; i++)
		dhcpt_step(t, 1000);
	assert_int_equal(peer.rx_len, sizeof big);
	assert_memory_equal(peer.rx, big, sizeof big);
	assert_true(peer.got_fin);
	dhcpt_free(t);
}

static void test_connect_refused_and_timeout(void **state)
{
	struct dhcpt *t = start(false);
	int err = 0;

	(void)state;
	t->peer = peers;
	peer.refuse = true;
	assert_null(nb_connect(t->n, PEER_IP, 80, 5000, &err));
	assert_int_equal(err, B_ECONNREFUSED);
	/* nobody answers at all */
	t->peer = NULL;
	dhcpt_learn(t, PEER_IP);
	uint64_t t0 = t->now;
	assert_null(nb_connect(t->n, PEER_IP, 80, 2500, &err));
	assert_int_equal(err, B_ETIMEDOUT);
	assert_int_equal(t->now, t0 + 2500);
	unsigned counts[TCP_TIME_WAIT + 1];
	tcp_count_states(t->n, counts);
	assert_int_equal(counts[TCP_SYN_SENT], 0);
	dhcpt_free(t);
}

/* The peer opens: SYN, the stack's SYN-ACK, the peer's ACK. */
static bool syn_once(struct dhcpt *t)
{
	static bool sent;

	if (t->now >= 1500 && !sent) {
		sent = true;
		peer.seq = PEER_ISS;
		tcp_seg(t, 80, TH_SYN, NULL, 0);
		peer.seq++;
		return true;
	}
	return peers(t);
}

static void test_accept_and_peer_close(void **state)
{
	struct dhcpt *t = start(false);
	struct tcp_conn *l, *c;
	char buf[16];

	(void)state;
	l = tcp_listen(t->n, 80, 4, NULL, NULL);
	assert_non_null(l);
	t->peer = syn_once;
	peer.say = "hi";
	c = nb_accept(l, 5000);
	assert_non_null(c);
	assert_true(t->now >= 1500);
	assert_int_equal(nb_read(c, buf, sizeof buf, 5000), 2);
	assert_memory_equal(buf, "hi", 2);
	/* the peer closes: end of stream, then our close completes */
	peer.fin_back = false;
	tcp_seg(t, 80, TH_FIN | TH_ACK, NULL, 0);
	peer.seq++;
	assert_int_equal(nb_read(c, buf, sizeof buf, 5000), 0);
	assert_int_equal(nb_close(c, 5000), 0);
	assert_null(nb_accept(l, 100));
	tcp_close(l);
	dhcpt_free(t);
}

/* A reset while reading: the error, and the connection still closes. */
static void test_reset(void **state)
{
	struct dhcpt *t = start(false);
	char buf[16];
	int err;

	(void)state;
	t->peer = peers;
	struct tcp_conn *c = nb_connect(t->n, PEER_IP, 80, 5000, &err);
	assert_non_null(c);
	struct tcp_info ti;
	tcp_get_info(c, &ti);
	tcp_seg(t, ti.local_port, TH_RST | TH_ACK, NULL, 0);
	assert_int_equal(nb_read(c, buf, sizeof buf, 1000), B_ECONNRESET);
	assert_true(nb_write(c, "x", 1, 1000) < 0);
	assert_int_equal(nb_close(c, 1000), 0);
	dhcpt_free(t);
}

static void test_no_pump(void **state)
{
	struct dhcpt *t = start(true);
	net_ip4 ip;

	(void)state;
	t->n->port.pump = NULL;
	assert_int_equal(nb_wait_address(t->n, 1000), B_EINVAL);
	assert_int_equal(nb_resolve(t->n, "x.example", &ip, 1000), B_EINVAL);
	dhcpt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_address),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_udp_recv),
		cmocka_unit_test(test_connect_write_read_close),
		cmocka_unit_test(test_connect_refused_and_timeout),
		cmocka_unit_test(test_accept_and_peer_close),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_no_pump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
