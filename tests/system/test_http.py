"""apps/httpd, Pith's web server, checked with real clients.

Two ways in:
- QEMU user networking on microvm (virtio-net-device) and q35
  (virtio-net-pci): hostfwd from a free 127.0.0.1 port to the guest's
  port 80; slirp's DHCP gives the guest 10.0.2.15. One VM per machine
  serves every test of this module (a module-scoped fixture).
- A tap device inside a network namespace the test creates (netns.py):
  QEMU runs in the namespace, Pith takes ip=192.168.77.2/24 statically,
  and curl, http.client and a ping in that namespace reach it through
  Linux's own TCP/IP stack.

httpd's contract (the lead's apps/httpd): console lines
`httpd: address A.B.C.D/N gw G (dhcp|static)` and
`httpd: serving N files on port P`; pages /, /style.css (the bytes of
apps/httpd/site/), /status, /status.json, /1m.bin (byte i =
((i * 2654435761) mod 2^32) >> 24); 404, 405 for POST, 400 for malformed
requests, 414/431/501/505 per RFC 9112.

After every hostile input the server must still answer a plain GET and
the console must show no FAULT report. Every client call is bounded.
"""

import functools
import hashlib
import http.client
import json
import os
import re
import select
import socket
import struct
import subprocess
import time
from contextlib import nullcontext
from pathlib import Path

import pytest

import netns
import pith
from pith import REPO, Pith, line, require_file

MACHINES = ["microvm", "q35"]
DEVICE = {"q35": "virtio-net-pci", "pc": "virtio-net-pci",
          "microvm": "virtio-net-device"}
SITE = REPO / "apps" / "httpd" / "site"
MIB = 1 << 20
BOOT_TIMEOUT = 90          # QEMU start to `serving` under TCG, generous
VM_LIFETIME = 900          # bound on one module's VM
IO_TIMEOUT = 20            # any single socket wait
HEADER_TIMEOUT_BOUND = 30  # httpd's header timeout is 10 s; TCG slack
HEADER_TIMEOUT_MIN = 8     # ... and it must not fire much sooner
ADDRESS = line(r"httpd: address (\d+\.\d+\.\d+\.\d+)/(\d+) gw (\S+) \((dhcp|static)\)")
SERVING = line(r"httpd: serving (\d+) files on port (\d+)")
FAULT = re.compile(r"FAULT|panic", re.I)


# ---- build products and expected bytes ------------------------------------

def httpd_image():
    """The httpd unikernel: $PITH_HTTPD, else build/app-httpd/pith.elf."""
    default = REPO / "build" / "app-httpd" / "pith.elf"
    return require_file(Path(os.environ.get("PITH_HTTPD", default)),
                        "build it first (make app-httpd)")


def site_file(name):
    return require_file(SITE / name, "apps/httpd/site/ is the served site").read_bytes()


@functools.cache
def one_mib():
    """/1m.bin's bytes: byte i = ((i * 2654435761) mod 2^32) >> 24."""
    return bytes(((i * 2654435761) & 0xFFFFFFFF) >> 24 for i in range(MIB))


@functools.cache
def one_mib_sha256():
    return hashlib.sha256(one_mib()).hexdigest()


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- where the server is, and how to reach it ------------------------------

class Server:
    """A running httpd and the way to reach it: host:port, and (for a
    namespace) the netns whose thread context sockets are made in."""

    def __init__(self, vm, host, port, ns=None):
        self.vm, self.host, self.port, self.ns = vm, host, port, ns

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def where(self):
        """Context in which sockets reach the server."""
        return self.ns.inside() if self.ns else nullcontext()

    def connect(self, timeout=IO_TIMEOUT):
        with self.where():
            s = socket.create_connection((self.host, self.port), timeout=timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return s

    def http(self, timeout=IO_TIMEOUT):
        """An http.client connection that (re)connects in the right netns."""
        server = self

        class Conn(http.client.HTTPConnection):
            def connect(self):
                with server.where():
                    super().connect()
        return Conn(self.host, self.port, timeout=timeout)

    def client_args(self, args):
        """A client program's command line, run in the server's netns."""
        return self.ns.exec_args(args) if self.ns else list(map(str, args))

    def run(self, args, timeout=60):
        """Run a client program (curl, wget, wrk) to completion, bounded."""
        proc = subprocess.Popen(self.client_args(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            netns.kill_group(proc)
            raise AssertionError(f"{args[0]} still running after {timeout} s")
        finally:
            netns.kill_group(proc)
        return subprocess.CompletedProcess(args, proc.returncode, out, err)

    def alive(self):
        """The VM still runs and has reported no fault."""
        assert self.vm.proc.poll() is None, "QEMU exited"
        m = FAULT.search(self.vm.output)
        assert not m, f"the console reports a fault: {self.vm.output[m.start():][:500]}"

    def get(self, path="/", timeout=IO_TIMEOUT):
        """One GET on a fresh connection; returns a Response."""
        with self.connect(timeout) as s:
            s.sendall(request("GET", path))
            return read_response(s.makefile("rb"))

    def check_answers(self):
        """A plain GET / still gets 200 (after something hostile)."""
        r = self.get("/")
        assert r.status == 200, f"GET / after the test: {r.status}"
        self.alive()


# ---- raw HTTP on a socket --------------------------------------------------

class Response:
    def __init__(self, version, status, reason, headers, body):
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.body = headers, body

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def __repr__(self):
        return f"<{self.status} {self.reason} {len(self.body)} bytes>"


def request(method, path, version="HTTP/1.1", headers=(), body=b""):
    head = f"{method} {path} {version}\r\nHost: pith\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers)
    return head.encode() + b"\r\n" + body


def read_response(f, method="GET"):
    """Read one response from a buffered socket file; EOFError if the
    connection closed before a status line. Bodies are framed by
    Content-Length (or end at close without one)."""
    status_line = f.readline(8192)
    if not status_line:
        raise EOFError("connection closed before a response")
    m = re.match(rb"(HTTP/\d\.\d) (\d{3}) ?(.*?)\r\n$", status_line)
    assert m, f"bad status line {status_line!r}"
    headers = []
    while True:
        h = f.readline(65536)
        assert h, "connection closed inside the response header"
        if h in (b"\r\n", b"\n"):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers.append((k.strip(), v.strip()))
    status = int(m[2])
    resp = Response(m[1].decode(), status, m[3].decode("latin-1"), headers, b"")
    length = resp.header("Content-Length")
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return resp
    if length is not None:
        n = int(length)
        resp.body = f.read(n)
        assert len(resp.body) == n, f"body {len(resp.body)} of {n} bytes"
    else:
        resp.body = f.read()
    return resp


def read_all_responses(s, limit=10):
    """Responses until the server closes (or `limit`); reads are bounded by
    the socket's timeout, so a server that keeps it open fails here."""
    f = s.makefile("rb")
    out = []
    while len(out) < limit:
        try:
            out.append(read_response(f))
        except EOFError:
            break
        except ConnectionResetError:
            break
    return out


def send_until_answered(s, data, chunk=4096):
    """Send data piece by piece, stopping as soon as the server answered
    (or closed or reset); returns the bytes sent. Avoids losing an early
    answer (414, 431) to a reset caused by our own unread bytes."""
    sent = 0
    while sent < len(data):
        if select.select([s], [], [], 0)[0]:
            break
        try:
            sent += s.send(data[sent:sent + chunk])
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            break
    return sent


def closed_within(s, seconds):
    """Seconds until the server closes s (EOF or reset, after any answer),
    or None if it stays open that long."""
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        if not select.select([s], [], [], end - time.monotonic())[0]:
            return None
        try:
            if not s.recv(65536):
                return time.monotonic() - start
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    return None


def exchange(server, data, settle=0.5, timeout=IO_TIMEOUT):
    """Send raw bytes on a fresh connection (stopping if answered early),
    wait up to `timeout` for the first response, then up to `settle`
    seconds of silence for more responses or the close.
    Returns (responses, closed: bool)."""
    with server.connect(timeout) as s:
        send_until_answered(s, data)
        f = s.makefile("rb")
        out, closed = [], False
        while True:
            try:
                out.append(read_response(f))
            except (EOFError, ConnectionResetError, BrokenPipeError):
                closed = True
                break
            except (socket.timeout, TimeoutError):
                break
            s.settimeout(settle)
        return out, closed


# ---- booting ---------------------------------------------------------------

def start_httpd(vm_factory, expect_address, site_check=True):
    vm = vm_factory().start()
    try:
        m = vm.expect(ADDRESS, timeout=BOOT_TIMEOUT)
        assert (m[1], m[2], m[3], m[4]) == expect_address, m[0]
        m = vm.expect(SERVING, timeout=BOOT_TIMEOUT)
        assert int(m[2]) == 80 and int(m[1]) >= 1, m[0]
    except BaseException:
        vm.kill()
        raise
    return vm


def wait_answering(server, timeout=30):
    """The first GET / that answers 200 (slirp accepts before the guest)."""
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            r = server.get("/", timeout=5)
            if r.status == 200:
                return
            last = r
        except (OSError, EOFError, AssertionError) as e:
            last = e
        time.sleep(0.2)
    raise AssertionError(f"httpd did not answer GET / within {timeout} s: {last!r}")


@pytest.fixture(scope="module", params=MACHINES)
def usernet(request):
    """httpd on `machine` behind QEMU user networking, for the module."""
    machine = request.param
    port = free_tcp_port()
    extra = ["-nic", "none",
             "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:80",
             "-device", f"{DEVICE[machine]},netdev=n0"]
    vm = start_httpd(lambda: Pith(machine=machine, kernel=httpd_image(),
                                  extra=extra, timeout=VM_LIFETIME),
                     ("10.0.2.15", "24", "10.0.2.2", "dhcp"))
    request.addfinalizer(vm.kill)
    server = Server(vm, "127.0.0.1", port)
    wait_answering(server)
    server.machine = machine
    return server


@pytest.fixture
def server(request, usernet):
    """The module's server; a failing test shows its console."""
    request.node.pith_vms = [usernet.vm]
    return usernet


# ---- over user networking ---------------------------------------------------

def curl(server, *args, timeout=30):
    r = server.run(["curl", "-sS", "--max-time", timeout, *args],
                   timeout=timeout + 10)
    assert r.returncode == 0, f"curl {args}: {r.returncode} {r.stderr!r}"
    return r.stdout


def test_curl_get_index(server):
    """curl GET / returns apps/httpd/site/index.html byte for byte, as
    text/html with a matching Content-Length."""
    index = site_file("index.html")
    out = curl(server, "-D", "-", f"{server.url}/")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert body == index
    assert re.search(rb"(?im)^content-type: text/html", head), head
    assert re.search(rb"(?im)^content-length: %d\r?$" % len(index), head), head
    server.alive()


def test_head(server):
    """HEAD gives GET's status and headers and no body: the GET after it
    on the same connection parses as the next response."""
    index = site_file("index.html")
    out = curl(server, "-I", f"{server.url}/")
    assert out.startswith(b"HTTP/1.1 200"), out
    assert re.search(rb"(?im)^content-length: %d\r?$" % len(index), out), out
    with server.connect() as s:
        s.sendall(request("HEAD", "/") + request("GET", "/style.css"))
        f = s.makefile("rb")
        head = read_response(f, "HEAD")
        get = read_response(f)
    assert head.status == 200 and int(head.header("Content-Length")) == len(index)
    assert get.status == 200 and get.body == site_file("style.css")


def test_wget(server, tmp_path):
    """wget fetches /style.css intact, served as text/css."""
    dest = tmp_path / "style.css"
    r = server.run(["wget", "-q", "-S", "-T", "20", "-t", "1", "-O", dest,
                    f"{server.url}/style.css"], timeout=40)
    assert r.returncode == 0, r.stderr
    assert dest.read_bytes() == site_file("style.css")
    assert re.search(rb"(?i)content-type: text/css", r.stderr), r.stderr


def test_keepalive_and_fresh_connections(server):
    """http.client: 200 requests on one keep-alive connection, then 50
    connections with one request each; every answer complete."""
    index, css = site_file("index.html"), site_file("style.css")
    conn = server.http()
    start = time.monotonic()
    try:
        for i in range(200):
            path, want = ("/", index) if i % 2 == 0 else ("/style.css", css)
            conn.request("GET", path)
            r = conn.getresponse()
            assert r.status == 200 and r.read() == want, (i, r.status)
            assert not r.will_close, f"request {i}: the server closed keep-alive"
        first_sock = conn.sock
        assert first_sock is not None
    finally:
        conn.close()
    mid = time.monotonic()
    for i in range(50):
        conn = server.http()
        try:
            conn.request("GET", "/", headers={"Connection": "close"})
            r = conn.getresponse()
            assert r.status == 200 and r.read() == index, (i, r.status)
        finally:
            conn.close()
    end = time.monotonic()
    print(f"{server.machine}: 200 keep-alive requests in {mid - start:.2f} s, "
          f"50 connections in {end - mid:.2f} s")
    server.alive()


def test_http10_closes(server):
    """An HTTP/1.0 request without keep-alive gets its answer, then close."""
    out, closed = exchange(server, request("GET", "/", "HTTP/1.0"))
    assert [r.status for r in out] == [200] and closed
    assert out[0].body == site_file("index.html")


def test_pipelining(server):
    """Three requests in one send: three responses, in order."""
    with server.connect() as s:
        s.sendall(request("GET", "/style.css") + request("GET", "/missing") +
                  request("GET", "/"))
        f = s.makefile("rb")
        got = [read_response(f) for _ in range(3)]
    assert [r.status for r in got] == [200, 404, 200]
    assert got[0].body == site_file("style.css")
    assert got[2].body == site_file("index.html")


def test_status_pages(server):
    """/status is HTML; /status.json has the documented keys and its
    counters grow between two reads."""
    r = server.get("/status")
    assert r.status == 200 and "text/html" in r.header("Content-Type", "")
    first = json.loads(server.get("/status.json").body)
    for _ in range(3):
        server.get("/")
    second = json.loads(server.get("/status.json").body)
    for key in ("cores", "uptime_ms", "requests", "connections", "nics"):
        assert key in first, f"/status.json lacks {key!r}: {first}"
    assert first["cores"] >= 1
    assert second["requests"] >= first["requests"] + 3, (first, second)
    assert second["uptime_ms"] > first["uptime_ms"], (first, second)
    print(f"{server.machine}: /status.json {json.dumps(second)[:400]}")


def test_1m_download(server):
    """/1m.bin arrives byte-exact with Content-Length 1048576."""
    conn = server.http(timeout=60)
    try:
        start = time.monotonic()
        conn.request("GET", "/1m.bin")
        r = conn.getresponse()
        body = r.read()
        secs = time.monotonic() - start
    finally:
        conn.close()
    assert r.status == 200 and int(r.getheader("Content-Length")) == MIB
    assert hashlib.sha256(body).hexdigest() == one_mib_sha256(), "1m.bin differs"
    print(f"{server.machine}: 1 MiB in {secs:.2f} s ({MIB / secs / 1e6:.1f} MB/s)")


ERRORS = {
    "404-missing": (request("GET", "/no/such/file.html"), 404),
    "405-post": (request("POST", "/", headers=[("Content-Length", "0")]), 405),
    "400-one-word": (b"GARBAGE\r\n\r\n", 400),
    "400-no-host": (b"GET / HTTP/1.1\r\n\r\n", 400),
    "400-space-before-colon": (b"GET / HTTP/1.1\r\nHost : pith\r\n\r\n", 400),
    "400-relative-target": (request("GET", "index.html"), 400),
    "414-long-target": (request("GET", "/" + "a" * 65536), 414),
    "431-huge-header": (request("GET", "/", headers=[("X-Big", "b" * 65536)]), 431),
    "431-many-headers": (request("GET", "/", headers=[(f"X-{i}", "v")
                                                      for i in range(5000)]), 431),
    "501-unknown-method": (request("BREW", "/"), 501),
    "505-http2": (request("GET", "/", "HTTP/2.0"), 505),
    "505-http3": (request("GET", "/", "HTTP/3.0"), 505),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_status(server, name):
    """Each request gets its RFC 9112/9110 status (405 with Allow)."""
    data, want = ERRORS[name]
    out, _ = exchange(server, data)
    assert out, f"{name}: no response at all"
    assert out[0].status == want, f"{name}: {out[0].status}, expected {want}"
    if want == 405:
        assert "GET" in (out[0].header("Allow") or ""), "405 without Allow"
    server.check_answers()


# "/%2f" included: an encoded slash is data inside a segment, not a
# separator (RFC 3986 section 2.2: URIs differing by the encoding of a
# reserved character are not equivalent), so it names no file here.
TRAVERSALS = ["/../", "/../../../../etc/passwd", "/%2e%2e/", "/%2E%2E/%2e%2e/etc/passwd",
              "/.%2e/style.css", "/..%2f..%2fetc%2fpasswd", "/%2fetc%2fpasswd",
              "/..\\..\\etc\\passwd", "/%252e%252e/%252e%252e/",
              "/style.css/../../index.html", "/index.html%00.css", "/%c0%ae%c0%ae/"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal(server, path):
    """Paths that climb out of the site root (plain, percent-encoded,
    encoded slashes, double-encoded, overlong UTF-8, NUL) return no file.
    (An encoded slash alone, "/%2f", is a separator as in nginx and names
    the root's index.html, inside the site: lib/http/path.c decodes before
    it removes dot segments, so no encoding climbs out.)"""
    out, _ = exchange(server, request("GET", path))
    assert out, f"{path}: no response"
    assert out[0].status in (400, 403, 404), f"{path}: {out[0].status} {out[0].body[:80]!r}"
    server.check_answers()


def test_slowloris(server):
    """A header trickled one byte a second is cut off within the header
    timeout (~10 s, bound here at 30 s under TCG); meanwhile and afterwards
    other connections are answered."""
    s = server.connect()
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: pith\r\n")
        server.check_answers()               # meanwhile
        start = time.monotonic()
        closed_after = None
        while time.monotonic() - start < HEADER_TIMEOUT_BOUND:
            try:
                s.send(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - start
                break
            waited = closed_within(s, 1.0)
            if waited is not None:
                closed_after = time.monotonic() - start
                break
        assert closed_after is not None, \
            f"a trickled header still open after {HEADER_TIMEOUT_BOUND} s"
    finally:
        s.close()
    print(f"{server.machine}: slowloris connection closed after {closed_after:.1f} s")
    server.check_answers()                   # afterwards


def test_stalled_header_is_closed(server):
    """A partial header and then silence: closed at the header timeout
    (10 s: not before HEADER_TIMEOUT_MIN, by HEADER_TIMEOUT_BOUND)."""
    with server.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: pith\r\nX-Half: ")
        secs = closed_within(s, HEADER_TIMEOUT_BOUND)
    assert secs is not None, f"still open after {HEADER_TIMEOUT_BOUND} s"
    tsc = re.search(r"^tsc .*?\r?$", server.vm.output, re.M)
    assert secs >= HEADER_TIMEOUT_MIN, \
        (f"closed after {secs:.1f} s, before the 10 s header timeout "
         f"(is the guest clock fast? boot said: {tsc[0].strip() if tsc else '?'})")
    print(f"{server.machine}: stalled header closed after {secs:.1f} s")
    server.check_answers()


# (request bytes, statuses allowed for the first answer (None: a close with
# no answer is fine too), must close after it)
# Where RFC 9112 leaves the server a choice (reject, or repair), both are
# allowed; what never is: a crash, a hang, a second (smuggled) response.
SMUGGLE = (b"0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: pith\r\n\r\n")
MALFORMED = {
    "cl-te": (b"GET / HTTP/1.1\r\nHost: pith\r\nContent-Length: %d\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n" % len(SMUGGLE) + SMUGGLE,
              {200, 400, 501}, True),
    "te-cl": (b"GET / HTTP/1.1\r\nHost: pith\r\nTransfer-Encoding: chunked\r\n"
              b"Content-Length: %d\r\n\r\n" % len(SMUGGLE) + SMUGGLE,
              {200, 400, 501}, True),
    "duplicate-cl": (b"GET / HTTP/1.1\r\nHost: pith\r\nContent-Length: 5\r\n"
                     b"Content-Length: 6\r\n\r\nhelloGET /smuggled HTTP/1.1\r\n\r\n",
                     {400}, True),
    "cl-list": (b"GET / HTTP/1.1\r\nHost: pith\r\nContent-Length: 5, 6\r\n\r\nhello!",
                {400}, True),
    "negative-cl": (b"GET / HTTP/1.1\r\nHost: pith\r\nContent-Length: -1\r\n\r\n",
                    {400}, True),
    "plus-cl": (b"GET / HTTP/1.1\r\nHost: pith\r\nContent-Length: +5\r\n\r\nhello",
                {400}, True),
    "huge-cl": (b"GET / HTTP/1.1\r\nHost: pith\r\nContent-Length: "
                b"99999999999999999999999999\r\n\r\n", {400, 413}, True),
    "bare-lf": (b"GET / HTTP/1.1\nHost: pith\n\n", {200, 400, None}, False),
    "bare-cr": (b"GET / HTTP/1.1\rHost: pith\r\n\r\n", {400}, True),
    "obs-fold": (b"GET / HTTP/1.1\r\nHost: pith\r\nX-A: a\r\n  folded\r\n\r\n",
                 {200, 400}, False),
    "nul-in-value": (b"GET / HTTP/1.1\r\nHost: pith\r\nX-A: a\x00b\r\n\r\n",
                     {200, 400}, False),
    "nul-in-target": (b"GET /\x00 HTTP/1.1\r\nHost: pith\r\n\r\n", {400, 404}, False),
    "bad-method-char": (b"G@T / HTTP/1.1\r\nHost: pith\r\n\r\n", {400, 501}, False),
    "lowercase-method": (b"get / HTTP/1.1\r\nHost: pith\r\n\r\n", {400, 501}, False),
    "bad-version": (b"GET / HTTP/1.10\r\nHost: pith\r\n\r\n", {400, 505}, False),
    "lowercase-version": (b"GET / http/1.1\r\nHost: pith\r\n\r\n", {400}, False),
    "tls-hello": (bytes.fromhex("16030100a5010000a10303") + bytes(200),
                  {400, None}, True),
    "binary-junk": (bytes(range(256)) * 64, {400, 414, 431, None}, True),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_input(server, name):
    """Smuggling (CL+TE, duplicate, list, negative, signed, huge
    Content-Length), bare LF and CR, obs-fold, NUL, bad method and version
    tokens, TLS and binary junk: the allowed status, no smuggled second
    response, a close where the framing is lost; then GET / still works."""
    data, allowed, must_close = MALFORMED[name]
    out, closed = exchange(server, data,
                           settle=IO_TIMEOUT if must_close else 0.5)
    if not (None in allowed and closed and not out):
        assert out, f"{name}: no response"
        assert out[0].status in allowed, f"{name}: {out[0].status}"
    assert len(out) <= 1, f"{name}: {len(out)} responses: {out}"
    if must_close:
        assert closed, f"{name}: connection left open"
    server.check_answers()


def test_get_with_body_is_framed(server):
    """A GET carrying a 5-byte body (Content-Length) followed by a second
    GET on the same connection: the body is skipped, both are answered."""
    with server.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: pith\r\nContent-Length: 5\r\n\r\nhello" +
                  request("GET", "/style.css"))
        f = s.makefile("rb")
        a, b = read_response(f), read_response(f)
    assert (a.status, b.status) == (200, 200)
    assert b.body == site_file("style.css")


def test_endless_header_stream(server):
    """A header that never ends (up to 1 MiB of one field, no CRLF): the
    server answers 431 (or 400) or closes; it answers GET / afterwards."""
    with server.connect() as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: pith\r\nX-Endless: ")
        sent = send_until_answered(s, b"e" * MIB, chunk=16384)
        f = s.makefile("rb")
        try:
            out = [read_response(f)]
        except (EOFError, ConnectionResetError, BrokenPipeError):
            out = []
        except (socket.timeout, TimeoutError):
            raise AssertionError(f"no answer and no close {IO_TIMEOUT} s after "
                                 f"{sent} bytes of an endless header") from None
    if out:
        assert out[0].status in (400, 431), out
    print(f"{server.machine}: endless header refused after {sent} bytes sent "
          f"({out[0].status if out else 'closed'})")
    server.check_answers()


def test_wrk(server):
    """wrk -t1 -c8 -d3s: requests complete with no socket errors and no
    non-2xx answers."""
    if not Path("/usr/bin/wrk").exists():
        pytest.skip("wrk is not installed (Debian package wrk; tools/deps.sh test)")
    r = server.run(["/usr/bin/wrk", "-t1", "-c8", "-d3s", f"{server.url}/"],
                   timeout=60)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    m = re.search(r"(\d+) requests in", out)
    assert m and int(m[1]) > 0, out
    assert "Socket errors" not in out, out
    assert "Non-2xx" not in out, out
    rate = re.search(r"Requests/sec:\s+(\S+)", out)
    print(f"{server.machine}: wrk {m[1]} requests, {rate[1] if rate else '?'} req/s")
    server.check_answers()


# ---- over a tap in a private network namespace ----------------------------

TAP_HOST = "192.168.77.1"
TAP_GUEST = "192.168.77.2"


class NsPith(Pith):
    """A Pith whose QEMU runs inside a network namespace (`ip netns exec`
    execs QEMU itself, so Pith's process-group kill still reaches it; and
    QEMU dies with the test process, so no guest outlives its namespace)."""

    def __init__(self, ns, **kwargs):
        super().__init__(**kwargs)
        self.ns = ns

    def start(self):
        self.kernel = require_file(self.kernel, "build it first")
        self.args = self.ns.exec_args(pith.qemu.qemu_args(
            self.kernel, machine=self.machine, smp=self.smp, mem=self.mem,
            cmdline=self.cmdline, cpu=self.cpu, extra=self.extra,
            serial="stdio"))
        self.start_time = time.monotonic()
        self.deadline = self.start_time + self.timeout
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=netns.die_with_parent)
        os.set_blocking(self.proc.stdin.fileno(), False)
        return self


def namespace_or_skip(tag):
    why = netns.skip_reason()
    if why:
        pytest.skip(why)
    return netns.Netns(tag)


@pytest.fixture(scope="module")
def tapnet(request):
    """httpd on microvm with a tap in a fresh netns, static 192.168.77.2."""
    ns = namespace_or_skip("tap")
    request.addfinalizer(ns.destroy)
    ns.create()
    tap = ns.add_tap("pith0", f"{TAP_HOST}/24")
    extra = ["-nic", "none",
             "-netdev", f"tap,id=n0,ifname={tap},script=no,downscript=no",
             "-device", f"{DEVICE['microvm']},netdev=n0"]
    vm = start_httpd(lambda: NsPith(ns, machine="microvm", kernel=httpd_image(),
                                    cmdline=f"-- ip={TAP_GUEST}/24 gw={TAP_HOST}",
                                    extra=extra, timeout=VM_LIFETIME),
                     (TAP_GUEST, "24", TAP_HOST, "static"))
    request.addfinalizer(vm.kill)
    server = Server(vm, TAP_GUEST, 80, ns)
    server.machine = "microvm-tap"
    wait_answering(server)
    return server


@pytest.fixture
def tap_server(request, tapnet):
    request.node.pith_vms = [tapnet.vm]
    return tapnet


def test_tap_curl(tap_server):
    """curl inside the namespace, over Linux's TCP stack: / and /1m.bin."""
    s = tap_server
    assert curl(s, f"{s.url}/") == site_file("index.html")
    body = curl(s, f"{s.url}/1m.bin", timeout=60)
    assert hashlib.sha256(body).hexdigest() == one_mib_sha256()


def test_tap_http_client(tap_server):
    """http.client from a thread inside the namespace: 100 keep-alive
    requests, 20 fresh connections, pipelining."""
    s = tap_server
    index = site_file("index.html")
    conn = s.http()
    try:
        for i in range(100):
            conn.request("GET", "/")
            r = conn.getresponse()
            assert r.status == 200 and r.read() == index, i
    finally:
        conn.close()
    for i in range(20):
        assert s.get("/").body == index, i
    with s.connect() as sock:
        sock.sendall(request("GET", "/") * 3)
        f = sock.makefile("rb")
        assert [read_response(f).status for _ in range(3)] == [200] * 3
    s.alive()


def icmp_checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def test_tap_ping(tap_server):
    """ICMP echo from the namespace (a raw socket: Debian's ping may be
    absent): 5 requests of different sizes, 5 replies with the same id,
    sequence and payload."""
    s = tap_server
    with s.ns.inside():
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident = os.getpid() & 0xFFFF
    with sock:
        sock.settimeout(5)
        for seq in range(5):
            payload = bytes((seq + i) & 0xFF for i in range(16 + seq * 300))
            head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            csum = icmp_checksum(head + payload)
            pkt = struct.pack("!BBHHH", 8, 0, csum, ident, seq) + payload
            sent = time.monotonic()
            sock.sendto(pkt, (TAP_GUEST, 0))
            while True:
                data, addr = sock.recvfrom(65536)
                ihl = (data[0] & 0x0F) * 4
                icmp = data[ihl:]
                if addr[0] != TAP_GUEST or icmp[0] != 0:
                    continue
                typ, code, _, rid, rseq = struct.unpack("!BBHHH", icmp[:8])
                if (rid, rseq) == (ident, seq):
                    break
            assert icmp[8:] == payload, f"echo {seq}: payload differs"
            assert icmp_checksum(icmp) == 0, f"echo {seq}: bad checksum"
            print(f"ping {seq}: {len(payload)} bytes, "
                  f"{(time.monotonic() - sent) * 1000:.2f} ms")
    s.alive()
