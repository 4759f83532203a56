#!/bin/sh
# The library (src/) never prints or exits and exports one prefix per module:
# tests/check-symbols.sh over the archive the binary under test was linked from.
. "$(dirname "$0")/../lib.sh"
lib=$(dirname "${UNIT:-build/unit}")/libddbtrail.a
[ -f "$lib" ] || skip "no $lib (build with make first); skipped"
command -v nm >/dev/null || skip "nm (binutils) not installed; skipped"
sh tests/check-symbols.sh "$lib" >"$T/out" 2>&1
rc=$?
cat "$T/out"
eq "$rc" 0 "check-symbols status"
done_case
