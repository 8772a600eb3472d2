#!/bin/sh
# The README's picture: boots the web server (build/app-httpd/pith.elf,
# the compiled-in demo site) in QEMU with 127.0.0.1:PORT forwarded to its
# port 80, and photographs http://127.0.0.1:PORT/ with Debian's headless
# Chromium.
#
#   tools/screenshot.sh [OUT.png]      (default docs/img/demo-site.png)
set -eu
cd "$(dirname "$0")/.."
out=${1:-docs/img/demo-site.png}
port=${PORT:-18099}
tools/deps.sh shot
make --no-print-directory app-httpd >/dev/null
log=$(mktemp)
timeout 120 /usr/bin/python3 tools/qemu.py run --hostfwd "$port:80" \
	build/app-httpd/pith.elf </dev/null >"$log" 2>&1 &
qemu=$!
trap 'kill $qemu 2>/dev/null; rm -f "$log"' EXIT
i=0
until curl -sf -m 2 -o /dev/null "http://127.0.0.1:$port/"; do
	i=$((i + 1))
	[ $i -lt 60 ] || { cat "$log"; echo "screenshot.sh: no answer on port $port" >&2; exit 1; }
	sleep 0.5
done
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--window-size=1000,700 --screenshot="$out" "http://127.0.0.1:$port/" 2>/dev/null
echo "screenshot.sh: $out"
