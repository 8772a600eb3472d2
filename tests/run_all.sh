#!/bin/sh
# `make test`'s driver: the host unit tests given as arguments, the packet
# scripts (tests/pkt), a short run of every fuzz target, the system tests,
# then one quick round of the benchmarks (it must run and produce numbers;
# their values are never judged here). Ends with one line adding
# everything up, and fails if anything did.
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p build
tests/run_unit.sh "$@" 2>&1 | tee build/unit.log
make --no-print-directory rust-unit 2>&1 | tee build/rust-unit.log
make --no-print-directory pkt 2>&1 | tee build/pkt.log
make --no-print-directory fuzz-quick 2>&1 | tee build/fuzz.log
tests/run_system.sh 2>&1 | tee build/system.log
if make --no-print-directory bench-quick 2>&1 | tee build/bench.log &&
   grep -q '^bench: [1-9][0-9]* of [0-9]* metrics measured on both sides' build/bench.log; then
	bp=1 bf=0
else
	bp=0 bf=1
	echo "bench-quick: the benchmark rig failed (build/bench.log)"
fi

unit_line=$(grep -E '^unit: [0-9]+ passed, [0-9]+ failed' build/unit.log | tail -n 1)
up=$(echo "$unit_line" | sed -E 's/^unit: ([0-9]+) passed.*/\1/')
uf=$(echo "$unit_line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)' build/system.log | tail -n 1)
sp=$(echo "$summary" | grep -Eo '[0-9]+ passed' | cut -d' ' -f1)
sf=$(echo "$summary" | grep -Eo '[0-9]+ failed' | cut -d' ' -f1)
se=$(echo "$summary" | grep -Eo '[0-9]+ error' | cut -d' ' -f1)
# tests/pkt/run.sh: one pass or fail per packet script.
pkt_line=$(grep -E '^pkt: [0-9]+ passed, [0-9]+ failed' build/pkt.log | tail -n 1)
pp=$(echo "$pkt_line" | sed -E 's/^pkt: ([0-9]+) passed.*/\1/')
pf=$(echo "$pkt_line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
[ -n "$pkt_line" ] || { pp=0; pf=1; echo "packet scripts gave no summary"; }
fuzz_line=$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' build/fuzz.log | tail -n 1)
fp=$(echo "$fuzz_line" | sed -E 's/^fuzz: ([0-9]+) passed.*/\1/')
ff=$(echo "$fuzz_line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
[ -n "$fuzz_line" ] || { fp=0; ff=1; echo "fuzz targets gave no summary"; }
[ -n "$unit_line" ] || { up=0; uf=1; echo "unit tests gave no summary"; }
# cargo test: "test result: ok. N passed; M failed; ..." per test binary.
rust_lines=$(grep -E '^test result: ' build/rust-unit.log)
rp=$(echo "$rust_lines" | grep -Eo '[0-9]+ passed' | awk '{ n += $1 } END { print n + 0 }')
rf=$(echo "$rust_lines" | grep -Eo '[0-9]+ failed' | awk '{ n += $1 } END { print n + 0 }')
[ -n "$rust_lines" ] || { rp=0; rf=1; echo "Rust unit tests gave no summary"; }
up=$(( ${up:-0} + ${rp:-0} )); uf=$(( ${uf:-0} + ${rf:-0} ))
[ -n "$summary" ] || { sp=0; sf=1; echo "system tests gave no summary"; }
passed=$(( ${up:-0} + ${pp:-0} + ${fp:-0} + ${sp:-0} + bp ))
failed=$(( ${uf:-0} + ${pf:-0} + ${ff:-0} + ${sf:-0} + ${se:-0} + bf ))
echo "unit ${up:-0} passed, ${uf:-0} failed; pkt ${pp:-0} passed, ${pf:-0} failed; fuzz ${fp:-0} passed, ${ff:-0} failed; system ${sp:-0} passed, $(( ${sf:-0} + ${se:-0} )) failed; bench-quick $bp passed, $bf failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
