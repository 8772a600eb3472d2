/*
 * The blocking-style API (net.h, nb_*): each call loops "is it done? else
 * port->pump until the deadline" over the event API, with port->now_ms
 * as the clock. Nothing is kept between calls.
 *
 * Connections used this way have no callbacks (nb_connect opens them so;
 * a listener for nb_accept must be opened without an accepted callback).
 * That is what keeps them safe to hold: without a closed callback TCP
 * keeps a connection that ended as a CLOSED slot until tcp_close or
 * tcp_abort (tcp.c), so a reset or timeout shows up as tcp_read's error
 * and the program still closes the connection with nb_close.
 *
 * Without port->pump or port->now_ms every call fails with B_EINVAL.
 */
#include "net_impl.h"
#include "tcp_impl.h"	/* a connection's stack: c->n */

static bool nb_can_wait(const struct net *n)
{
	return n && n->port.pump && n->port.now_ms;
}

static uint64_t nb_now(const struct net *n)
{
	return n->port.now_ms(n->port.ctx);
}

static uint64_t nb_deadline(const struct net *n, uint64_t timeout_ms)
{
	uint64_t now = nb_now(n);

	return timeout_ms > UINT64_MAX - now ? UINT64_MAX : now + timeout_ms;
}

/* One round of waiting: false once the deadline has passed. */
static bool nb_pump(struct net *n, uint64_t deadline)
{
	if (nb_now(n) >= deadline)
		return false;
	n->port.pump(n->port.ctx, n, deadline);
	return true;
}

static struct net *nb_conn_net(const struct tcp_conn *c)
{
	return c ? c->n : NULL;
}

static uint8_t nb_state(const struct tcp_conn *c)
{
	struct tcp_info ti;

	return tcp_get_info(c, &ti) < 0 ? TCP_CLOSED : ti.state;
}

/* 0 once the interface has an address, else B_ETIMEDOUT. */
int nb_wait_address(struct net *n, uint64_t timeout_ms)
{
	uint64_t deadline;

	if (!nb_can_wait(n))
		return B_EINVAL;
	deadline = nb_deadline(n, timeout_ms);
	while (n->addr_state == NET_ADDR_NONE) {
		if (!nb_pump(n, deadline))
			return B_ETIMEDOUT;
	}
	return 0;
}

/* The next connection from listener's queue, or NULL at the timeout. */
struct tcp_conn *nb_accept(struct tcp_conn *listener, uint64_t timeout_ms)
{
	struct net *n = nb_conn_net(listener);
	struct tcp_conn *c;
	uint64_t deadline;

	if (!nb_can_wait(n))
		return NULL;
	deadline = nb_deadline(n, timeout_ms);
	while (!(c = tcp_accept(listener))) {
		if (!nb_pump(n, deadline))
			return NULL;
	}
	return c;
}

/* An established connection, or NULL with *err: B_ECONNREFUSED,
 * B_ETIMEDOUT (the attempt is aborted), B_EAGAIN (no slot),
 * B_EHOSTUNREACH (no address), or how the handshake ended. */
struct tcp_conn *nb_connect(struct net *n, net_ip4 dst, uint16_t port,
			    uint64_t timeout_ms, int *err)
{
	struct tcp_conn *c;
	uint64_t deadline;
	uint8_t st;
	int dummy;
	char none;

	err = err ? err : &dummy;
	if (!nb_can_wait(n)) {
		*err = B_EINVAL;
		return NULL;
	}
	deadline = nb_deadline(n, timeout_ms);
	c = tcp_connect(n, dst, port, NULL, NULL);
	if (!c) {
		*err = n->addr_state == NET_ADDR_NONE ? B_EHOSTUNREACH : B_EAGAIN;
		return NULL;
	}
	while ((st = nb_state(c)) == TCP_SYN_SENT || st == TCP_SYN_RECEIVED) {
		if (!nb_pump(n, deadline))
			break;
	}
	if (st == TCP_SYN_SENT || st == TCP_SYN_RECEIVED || st == TCP_CLOSED) {
		long r = tcp_read(c, &none, 0);	/* a held CLOSED slot's error */
		*err = st != TCP_CLOSED ? B_ETIMEDOUT : r < 0 ? (int)r : B_ECONNREFUSED;
		if (st == TCP_CLOSED)
			tcp_close(c);	/* frees the held slot */
		else
			tcp_abort(c);
		return NULL;
	}
	*err = 0;
	return c;
}

/* At least one byte, 0 at the end of the stream, or an error
 * (B_ETIMEDOUT, B_ECONNRESET, ...). */
long nb_read(struct tcp_conn *c, void *buf, size_t cap, uint64_t timeout_ms)
{
	struct net *n = nb_conn_net(c);
	uint64_t deadline;
	long r;

	if (!nb_can_wait(n))
		return B_EINVAL;
	deadline = nb_deadline(n, timeout_ms);
	while ((r = tcp_read(c, buf, cap)) == B_EAGAIN) {
		if (!nb_pump(n, deadline))
			return B_ETIMEDOUT;
	}
	return r;
}

/* Queues all len bytes, waiting for send space as needed: len, or an
 * error (B_ETIMEDOUT, B_EPIPE, B_ENOTCONN, B_ECONNRESET). */
long nb_write(struct tcp_conn *c, const void *data, size_t len, uint64_t timeout_ms)
{
	struct net *n = nb_conn_net(c);
	const uint8_t *p = data;
	uint64_t deadline;
	size_t done = 0;
	char none;

	if (!nb_can_wait(n))
		return B_EINVAL;
	deadline = nb_deadline(n, timeout_ms);
	while (done < len) {
		long r = tcp_write(c, p + done, len - done, 0);
		if (r < 0) {
			long why = tcp_read(c, &none, 0);	/* a reset says so */
			return why < 0 && why != B_EAGAIN ? why : r;
		}
		done += (size_t)r;
		if (done < len && !nb_pump(n, deadline))
			return B_ETIMEDOUT;
	}
	return (long)len;
}

/* Our FIN is acknowledged once we are past FIN_WAIT_1 and CLOSING (or
 * the connection ended). */
static bool nb_fin_acked(const struct tcp_conn *c)
{
	uint8_t st = nb_state(c);

	return st == TCP_FIN_WAIT_2 || st == TCP_TIME_WAIT || st == TCP_CLOSED;
}

/* Sends FIN and waits until the peer acknowledged it, then gives c to
 * the stack to finish (c is invalid afterwards): 0, or B_ETIMEDOUT
 * (given up all the same). */
int nb_close(struct tcp_conn *c, uint64_t timeout_ms)
{
	struct net *n = nb_conn_net(c);
	uint64_t deadline;
	int err = 0;

	if (!nb_can_wait(n))
		return B_EINVAL;
	deadline = nb_deadline(n, timeout_ms);
	tcp_shutdown(c);
	while (!nb_fin_acked(c)) {
		if (!nb_pump(n, deadline)) {
			err = B_ETIMEDOUT;
			break;
		}
	}
	tcp_close(c);
	return err;
}

/* What nb_resolve's query reports. */
struct nb_dns {
	bool done;
	int err;
	net_ip4 ip;
};

static void nb_on_resolved(void *arg, int err, net_ip4 ip)
{
	struct nb_dns *r = arg;

	r->done = true;
	r->err = err;
	r->ip = ip;
}

/* 0 with *ip, or dns_resolve's errors, or B_ETIMEDOUT (the query is
 * dropped). */
int nb_resolve(struct net *n, const char *name, net_ip4 *ip, uint64_t timeout_ms)
{
	struct nb_dns r = { 0 };
	uint64_t deadline;
	int err;

	if (!nb_can_wait(n) || !ip)
		return B_EINVAL;
	deadline = nb_deadline(n, timeout_ms);
	err = dns_resolve(n, name, nb_on_resolved, &r);
	if (err < 0)
		return err;
	while (!r.done) {
		if (!nb_pump(n, deadline)) {
			dns_cancel(n, nb_on_resolved, &r);	/* r is about to go */
			return B_ETIMEDOUT;
		}
	}
	*ip = r.ip;
	return r.err;
}

/* The next datagram on s (opened without a callback): its length
 * (truncated to cap), or B_ETIMEDOUT. */
long nb_udp_recv(struct udp_sock *s, void *buf, size_t cap, net_ip4 *src,
		 uint16_t *sport, uint64_t timeout_ms)
{
	struct net *n = s ? udp_sock_net(s) : NULL;
	uint64_t deadline;
	long r;

	if (!nb_can_wait(n))
		return B_EINVAL;
	deadline = nb_deadline(n, timeout_ms);
	while ((r = udp_recvfrom(s, buf, cap, src, sport)) == B_EAGAIN) {
		if (!nb_pump(n, deadline))
			return B_ETIMEDOUT;
	}
	return r;
}
