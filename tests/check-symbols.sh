#!/bin/sh
# check-symbols.sh LIB: the library's link-level contract, read off the archive with nm.
#   - src/ never prints or exits: no stdio output, perror, exit or abort is referenced
#     (cmd/ alone talks to the user and picks the exit status);
#   - one prefix per module: every symbol an object file exports shares one prefix
#     (ing_new, ing_files, ... in ingest.o), so nothing leaks into the global namespace;
#     compiler-made symbols (__odr_asan.* under ASan) are not ours and are ignored.
# Prints one line per violation and exits 1 if there is any.
set -u
lib=${1:?usage: check-symbols.sh LIBDDBTRAIL.a}
[ -f "$lib" ] || { echo "check-symbols: no such archive: $lib"; exit 2; }
command -v nm >/dev/null || { echo "check-symbols: needs nm (binutils)"; exit 2; }
bad=0
forbidden='printf fprintf vprintf vfprintf dprintf puts fputs putchar putc fputc fwrite perror
exit _exit _Exit abort quick_exit syslog stdout stderr'
for s in $forbidden; do
    # nm -A names members as "lib.a:member.o:"; keep the member
    who=$(nm -A -u "$lib" 2>/dev/null | awk -v s="$s" '$NF == s {n = split($1, p, ":"); print p[n - 1]}' |
          sort -u | tr '\n' ' ')
    if [ -n "$who" ]; then
        echo "check-symbols: $who references $s: the library must not print or exit"
        bad=1
    fi
done
nm -A -g --defined-only "$lib" 2>/dev/null |
    awk 'NF == 3 && $3 !~ /^__/ {n = split($1, p, ":"); m = p[n - 1]; pre = $3; sub(/_.*/, "", pre);
                  if (!(m in first)) first[m] = pre;
                  else if (first[m] != pre) print m ": exports " $3 " beside " first[m] "_*"}' >"${TMPDIR:-/tmp}/check-symbols.$$"
if [ -s "${TMPDIR:-/tmp}/check-symbols.$$" ]; then
    sed 's/^/check-symbols: /' "${TMPDIR:-/tmp}/check-symbols.$$"
    bad=1
fi
rm -f "${TMPDIR:-/tmp}/check-symbols.$$"
[ $bad = 0 ] && echo "check-symbols: $lib: no printing or exiting, one prefix per module"
exit $bad
