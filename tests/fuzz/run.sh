#!/bin/sh
# Runs libFuzzer targets for SECONDS each and ends with exactly one line:
#     fuzz: N passed, M failed
#
#   tests/fuzz/run.sh SECONDS build/fuzz/fuzz_NAME...
#
# For each target NAME: first replays the crashers kept as regressions in
# tests/fuzz/crashers/NAME/ (each must now pass), then fuzzes for SECONDS
# starting from the seeds in tests/fuzz/corpus/NAME/ (read, never written)
# plus what earlier runs found in build/fuzz/corpus-NAME/. A crash leaves
# its input in build/fuzz/NAME-crash-*; copy it to tests/fuzz/crashers/NAME/
# once fixed. A target passes when neither step found a crash.
set -u

if [ "$#" -lt 2 ]; then
	echo "usage: $0 SECONDS build/fuzz/fuzz_NAME..." >&2
	exit 2
fi
seconds=$1
shift
here=$(dirname "$0")
pass=0
fail=0
for bin in "$@"; do
	name=${bin##*/fuzz_}
	out=$(dirname "$bin")
	work="$out/corpus-$name"
	mkdir -p "$work"
	echo "== $name: $seconds s"
	ok=true
	crashers="$here/crashers/$name"
	if [ -d "$crashers" ] && [ -n "$(ls -A "$crashers" 2>/dev/null)" ]; then
		"$bin" "$crashers"/* >"$out/$name-regress.log" 2>&1 || {
			echo "$name: a kept crasher fails again (log: $out/$name-regress.log)"
			ok=false
		}
	fi
	# -timeout: one input running 10 s is a hang; -rss_limit_mb: a leak or
	# blow-up; -max_len: the targets read what matters from the first 8 KiB.
	if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=8192 \
		-artifact_prefix="$out/$name-" -print_final_stats=1 \
		"$work" "$here/corpus/$name" >"$out/$name.log" 2>&1; then
		echo "$name: crash; input in $out/$name-crash-* (log: $out/$name.log)"
		ok=false
	fi
	grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE' \
		"$out/$name.log" | sed "s/^/$name: /"
	if $ok; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
