#!/bin/sh
# The layout docs/design.md's "Layout" section describes, held: src/ is one folder per
# stage, and a module includes only its own folder and the folders before
# it in the pipeline's order (common, input, store, detect, triage, report;
# integrity and merge beside them, after what they use); and no two cmd/
# files call each other (cmd/main.c calls the commands, the commands call
# the shared plumbing, never back).
. "$(dirname "$0")/../lib.sh"
python3 - <<'PY' || fail "the layout rules above"
import collections, glob, re, sys
order = ['common', 'input', 'store', 'detect', 'triage', 'report', 'integrity', 'merge']
bad = 0
where = {f.split('/')[-1]: f.split('/')[1] for f in glob.glob('src/*/*.[ch]')}
for f in sorted(glob.glob('src/*.[ch]')):
    print('%s: a module outside the stage folders' % f); bad += 1
for d in sorted(glob.glob('src/*/')):
    if d.split('/')[1] not in order:
        print('%s: a folder that is no stage of the Layout (docs/design.md)' % d); bad += 1
for f in sorted(glob.glob('src/*/*.[ch]')):
    st = f.split('/')[1]
    for h in re.findall(r'#include "([\w.]+)"', open(f).read()):
        if h in where and st in order and order.index(where[h]) > order.index(st):
            print('%s includes %s/%s: a later stage' % (f, where[h], h)); bad += 1
defs = {}
for f in glob.glob('cmd/*.c'):
    s = open(f).read()
    for m in re.finditer(r'^(?!static)[a-z][\w \*]*?\b((?:cli|cmd)_\w+)\s*\(', s, re.M):
        defs[m.group(1)] = f
calls = collections.defaultdict(set)
for f in glob.glob('cmd/*.c'):
    s = open(f).read()
    for name, where_def in defs.items():
        if where_def != f and re.search(r'\b%s\b' % name, s):
            calls[f].add(where_def)
for a in sorted(calls):
    for b in sorted(calls[a]):
        if a < b and a in calls[b]:
            print('%s and %s call each other' % (a, b)); bad += 1
print('%d module(s) in %d stage folders, %d cmd/ files checked' %
      (len(glob.glob('src/*/*.c')), len(glob.glob('src/*/')), len(glob.glob('cmd/*.c'))))
sys.exit(1 if bad else 0)
PY
done_case
