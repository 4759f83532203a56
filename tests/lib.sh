# Helpers for the CLI test cases; sourced by tests/cli/*.sh. Each case runs
# in its own scratch directory $T (removed on exit unless KEEP=1) and exits
# 0 (pass), 1 (fail) or 77 (skip, with the reason as its last line).
set -u
top=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd)
[ -f "$top/Makefile" ] || top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
DDBTRAIL=${DDBTRAIL:-$top/ddbtrail}
VALGRIND=${VALGRIND:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/ddbtrail-test.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$T"' EXIT
export DDBTRAIL_RULES="$top/detections"
unset NO_COLOR 2>/dev/null || true
# no config unless a case gives one: set and empty, DDBTRAIL_CONFIG turns discovery off, so
# neither a ./ddbtrail.json that 'ddbtrail init' left in the checkout nor the user's own
# ~/.config/ddbtrail/config.json changes what a case sees (config_discovery.sh unsets it)
export DDBTRAIL_CONFIG=
export XDG_CONFIG_HOME="$T/no-xdg-config"
SHARED=$(cd "$top/../shared" 2>/dev/null && pwd)
failures=0

# ddb ARGS...: runs the binary (under $VALGRIND when set); output as usual.
ddb() { $VALGRIND "$DDBTRAIL" "$@"; }

# run ARGS...: runs ddb with stdout in $T/out, stderr in $T/err, status in $rc.
run() {
    ddb "$@" >"$T/out" 2>"$T/err"
    rc=$?
    return 0
}

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok_if() { if eval "$1"; then :; else fail "$2"; fi; }
eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
contains() { grep -q -- "$2" "$1" || { fail "$3: '$2' not in $1:"; sed 's/^/      /' "$1" | head -20; }; }
lacks() { ! grep -q -- "$2" "$1" || fail "$3: '$2' unexpectedly in $1"; }
q() { sqlite3 "$1" "$2"; }
skip() { echo "$*"; exit 77; }
done_case() { [ "$failures" = 0 ] && exit 0; echo "$failures check(s) failed"; exit 1; }
