#!/bin/sh
# The README's excerpt of `make run` is what `make run` prints: the command
# is taken from the Makefile's run recipe and run, and every line of the
# excerpt (a "…" line stands for lines left out) must be in its output, in
# the README's order. The quick start's commands are real commands.
. "$(dirname "$0")/../lib.sh"
cmd=$(sed -n '/^run:/,/^$/p' Makefile | grep -o '\./ddbtrail scan.*')
ok_if '[ -n "$cmd" ]' "the run recipe's scan command found in the Makefile"
# shellcheck disable=SC2086
set -- ${cmd#./ddbtrail }
ddb "$@" >"$T/run.txt" 2>/dev/null
python3 - README.md "$T/run.txt" <<'PY' || fail "the README's excerpt is not what make run prints"
import sys
readme = open(sys.argv[1], encoding="utf-8").read()
out = open(sys.argv[2], encoding="utf-8").read().split("\n")
start = readme.index("<!-- make-run-excerpt -->")
block = readme[readme.index("```\n", start) + 4:]
block = block[:block.index("\n```")].split("\n")
at, n = 0, 0
for line in block:
    if line == "…":
        continue
    while at < len(out) and out[at] != line:
        at += 1
    if at == len(out):
        print("not in make run's output (in this order): %r" % line)
        sys.exit(1)
    at += 1
    n += 1
print("%d excerpt lines found in order" % n)
sys.exit(0 if n >= 10 else 1)
PY
for c in init scan actors events; do
    grep -q "^\./ddbtrail $c" README.md || fail "the quick start shows '$c'"
done
done_case
