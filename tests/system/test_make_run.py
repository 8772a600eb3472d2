"""What `make run` does, checked from outside: the Monitor (build/pith.elf)
runs httpd.app from the disk (build/pith-disk.img) because the kernel
command line says `-- httpd`; httpd takes its address by DHCP from QEMU's
user networking and serves the disk's www/ files on 127.0.0.1:PORT; `q`
on the console stops it and the Monitor's prompt comes back.
"""

import hashlib
import http.client
import shutil
import socket

import pytest

from pith import PROMPT, REPO, line, require_file

sys_qemu = __import__("qemu")   # tools/qemu.py, on the path through pith.py
SITE = REPO / "apps" / "httpd" / "site"
TIMEOUT = 120


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, timeout=20):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("machine", ["microvm", "q35"])
def test_make_run_serves_the_disk_site(boot, machine, tmp_path):
    image = require_file(REPO / "build" / "pith-disk.img", "build it first (make image)")
    disk = tmp_path / "disk.img"      # a copy: other tests may hold the image's lock
    shutil.copyfile(image, disk)
    port = free_tcp_port()
    extra = ["-drive", f"if=none,id=d0,file={disk},format=raw",
             "-device", ("virtio-blk-device" if machine == "microvm" else
                         "virtio-blk-pci") + ",drive=d0"]
    extra += sys_qemu.user_net_args(machine, [(port, 80)])
    vm = boot(machine=machine, smp=2, cmdline="-- httpd", extra=extra, timeout=TIMEOUT)
    vm.expect(line(r"httpd: address 10\.0\.2\.15/24 gw 10\.0\.2\.2 \(dhcp\)"), timeout=60)
    vm.expect(line(r"httpd: serving (\d+) files on port 80"), timeout=30)
    for name in ("index.html", "about.html", "style.css", "favicon.ico"):
        status, headers, body = get(port, "/" + name)
        want = (SITE / name).read_bytes()
        assert status == 200, name
        assert hashlib.sha256(body).digest() == hashlib.sha256(want).digest(), name
        assert int(headers["Content-Length"]) == len(want)
    status, _, body = get(port, "/")
    assert status == 200 and body == (SITE / "index.html").read_bytes()
    status, _, _ = get(port, "/no-such-page.html")
    assert status == 404
    vm.send("q")
    vm.expect(PROMPT, timeout=30)
    vm.command("echo still here")
    vm.expect(line("still here"), timeout=10)
