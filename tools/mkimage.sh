#!/bin/sh
# Builds the disk Pith's monitor runs programs from: a BMFS image holding
# the given files. Usage: tools/mkimage.sh IMAGE SIZE FILE...
# Each FILE is a host path, stored under its own name (build/programs/
# hello.app as hello.app), or NAME=PATH to store PATH as NAME. The image is
# built beside IMAGE and renamed into place, so a failure leaves no half
# image; build/bmfs (make build/bmfs) does the work and checks the result.
set -eu
[ $# -ge 2 ] || { echo "usage: tools/mkimage.sh IMAGE SIZE [NAME=]FILE..." >&2; exit 2; }
image=$1 size=$2
shift 2
bmfs=${BMFS:-build/bmfs}
tmp=$image.tmp
trap 'rm -f "$tmp"' EXIT
rm -f "$tmp"
"$bmfs" "$tmp" format "$size" >/dev/null
for f in "$@"; do
	case $f in
	*=*) name=${f%%=*} path=${f#*=} ;;
	*) name=$(basename "$f") path=$f ;;
	esac
	"$bmfs" "$tmp" write "$name" "$path" >/dev/null
done
"$bmfs" "$tmp" check >/dev/null
mv "$tmp" "$image"
trap - EXIT
"$bmfs" "$image" list
