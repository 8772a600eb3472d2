#!/bin/sh
# Runs the system tests (tests/system, pytest from Debian) against build/.
# The whole run is bounded: each boot has its own timeout in the harness,
# and this cap catches anything the harness could not.
set -u
cd "$(dirname "$0")/.." || exit 1
exec timeout --kill-after=30 2700 /usr/bin/python3 -m pytest -p no:cacheprovider \
	-q -rfE tests/system "$@"
