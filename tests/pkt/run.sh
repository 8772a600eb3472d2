#!/bin/sh
# Runs packet scripts through the runner, one process each:
#     tests/pkt/run.sh build/pktrun tests/pkt/scripts/*.pkt
# prints each script's result (and the whole output of a failing one) and
# ends with exactly one line:
#     pkt: N passed, M failed
# A script that crashes, hangs past PKT_TIMEOUT seconds (default 60; where
# timeout(1) exists) or leaks counts as failed. Exit status: 0 if all passed.
set -u

if [ "$#" -lt 2 ]; then
	echo "usage: $0 build/pktrun script.pkt ..." >&2
	exit 2
fi
runner=$1
shift

tmp=$(mktemp "${TMPDIR:-/tmp}/pkt_run.XXXXXX") || exit 2
trap 'rm -f "$tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

limit=""
command -v timeout >/dev/null 2>&1 && limit="timeout ${PKT_TIMEOUT:-60}"

passed=0
failed=0
for script in "$@"; do
	$limit "$runner" "$script" >"$tmp" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $script"
	else
		failed=$((failed + 1))
		[ "$rc" -eq 124 ] && echo "(timed out after ${PKT_TIMEOUT:-60} s)" >>"$tmp"
		echo "FAIL $script (exit $rc)"
		sed 's/^/    /' "$tmp"
	fi
done
echo "pkt: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
