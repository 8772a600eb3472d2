#!/bin/sh
# Writes the seed images of tests/fuzz/corpus/bmfs/ with the host tool:
# the first 8 KiB of each image (block 0: MBR, tag, directory), trailing
# zeros cut; the fuzz target pads the rest of the disk with zeros.
#
#   tests/fuzz/mkcorpus_bmfs.sh [build/bmfs]
set -eu
tool=${1:-build/bmfs}
out=$(dirname "$0")/corpus/bmfs
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mkcorpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
img=$tmp/img
mkdir -p "$out"

# keep NAME: the image's first 8 KiB, trailing zeros cut, as seed NAME.
keep() {
	/usr/bin/python3 -c 'import sys
d = open(sys.argv[1], "rb").read(8192).rstrip(b"\0")
open(sys.argv[2], "wb").write(d)' "$img" "$out/$1"
}

# record SLOT NAME START RESERVED SIZE: writes a raw directory record
# (byte 4096 + 64 * SLOT), for images no correct tool would write.
record() {
	/usr/bin/python3 -c 'import struct, sys
slot, name, start, res, size = sys.argv[2], sys.argv[3], *map(int, sys.argv[4:7])
rec = name.encode()[:32].ljust(32, b"\0") + struct.pack("<QQQQ", start, res, size, 0)
with open(sys.argv[1], "r+b") as f:
    f.seek(4096 + 64 * int(slot)); f.write(rec)' "$img" "$@"
}

printf 'hello, pith\n' >"$tmp/small"
head -c 5000 /dev/zero | tr '\0' 'x' >"$tmp/mid"

"$tool" "$img" format 12M >/dev/null
keep empty

"$tool" "$img" write hello.txt "$tmp/small"
"$tool" "$img" write data.bin "$tmp/mid"
"$tool" "$img" create space 3M
keep three-files

"$tool" "$img" delete data.bin
"$tool" "$img" create monitor.app 1
keep deleted-and-reused

record 3 overlap 1 2 100
record 4 hello.txt 4 1 3000000
keep overlap-duplicate-size

rm -f "$img"
"$tool" "$img" format 12M >/dev/null
record 0 far 18446744073709551615 18446744073709551615 18446744073709551615
record 1 ABCDEFGHIJKLMNOPQRSTUVWXYZ012345 0 0 0
record 2 wrap 18446744073709551614 3 1
keep huge-values

ls -l "$out"
