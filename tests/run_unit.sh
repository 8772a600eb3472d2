#!/bin/sh
# Runs the host unit test binaries given as arguments (cmocka, TAP output),
# shows what each printed, and ends with exactly one line:
#     unit: N passed, M failed
# Exits non-zero if a test failed or a binary crashed, hung or left leaks
# (each such binary counts as one more failure). Skipped tests are listed
# per binary but count as neither. UNIT_TIMEOUT (seconds, default 120)
# bounds each binary where timeout(1) exists.
set -u

if [ "$#" -eq 0 ]; then
	echo "usage: $0 build/tests/test_x ..." >&2
	exit 2
fi

tmp=$(mktemp "${TMPDIR:-/tmp}/run_unit.XXXXXX") || exit 2
trap 'rm -f "$tmp" "$tmp.rc"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

limit=""
command -v timeout >/dev/null 2>&1 && limit="timeout ${UNIT_TIMEOUT:-120}"

# Counts one binary's TAP lines: "passed failed skipped seen planned".
# cmocka 1.1.5 writes a skipped test as "not ok N # SKIP name".
tap_counts() {
	awk '
	/^1\.\.[0-9]+/ { plan = substr($0, 4) + 0 }
	/^(not )?ok [0-9]+/ {
		seen++
		if ($0 ~ /^(not )?ok [0-9]+ # [Ss][Kk][Ii][Pp]/) skip++
		else if ($0 ~ /^ok/) pass++
		else fail++
	}
	END { print pass + 0, fail + 0, skip + 0, seen + 0, plan + 0 }' "$1"
}

total_pass=0
total_fail=0
for bin in "$@"; do
	echo "== $bin"
	if [ ! -x "$bin" ]; then
		echo "$bin: missing or not executable"
		total_fail=$((total_fail + 1))
		continue
	fi
	{ CMOCKA_MESSAGE_OUTPUT=TAP $limit "$bin" 2>&1; echo "$?" >"$tmp.rc"; } | tee "$tmp"
	rc=$(cat "$tmp.rc")
	read -r pass fail skip seen plan <<-EOF
	$(tap_counts "$tmp")
	EOF
	# A non-zero exit no failed test explains, or a plan not run to its
	# end (sanitizer abort, signal, timeout, leak report at exit).
	broken=false
	[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && broken=true
	[ "$seen" -ne "$plan" ] || [ "$plan" -eq 0 ] && broken=true
	note=""
	if $broken; then
		note=" (crashed, hung or leaked: exit $rc after $seen of $plan tests)"
		fail=$((fail + 1))
	fi
	echo "$bin: $pass passed, $fail failed, $skip skipped$note"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done

echo "unit: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
