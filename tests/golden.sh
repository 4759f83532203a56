#!/bin/sh
# tests/golden.sh NAME: runs tests/golden/NAME/cmd (a shell snippet; `ddb`
# runs the binary, $T is a scratch directory) from the project root and
# compares its stdout with tests/golden/NAME/expected and its exit status
# with tests/golden/NAME/status. UPDATE_GOLDEN=1 rewrites both on purpose.
name=$1
. "$(dirname "$0")/lib.sh"
g=tests/golden/$name
[ -f "$g/cmd" ] || { echo "no $g/cmd"; exit 1; }
. "./$g/cmd" >"$T/stdout" 2>"$T/stderr"
status=$?
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    cp "$T/stdout" "$g/expected"
    echo "$status" >"$g/status"
    echo "updated $g"
    exit 0
fi
eq "$status" "$(cat "$g/status")" "exit status"
if ! cmp -s "$T/stdout" "$g/expected"; then
    fail "stdout differs from $g/expected (UPDATE_GOLDEN=1 to accept):"
    diff "$g/expected" "$T/stdout" | head -30
fi
[ -s "$T/stderr" ] && { echo "stderr:"; head -20 "$T/stderr"; }
done_case
