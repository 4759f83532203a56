#!/bin/sh
# ddbtrail test runner: C unit tests, CLI cases, detection pairs, golden
# reports. Prints one line per case and ends with "N passed, N failed".
#
#   sh tests/run.sh                 everything
#   sh tests/run.sh cli/ingest_sample detect/DDB-ROOT unit/jev_forms   chosen cases
#
# Environment: DDBTRAIL (binary, default ./ddbtrail), UNIT (unit test binary),
# VALGRIND (command prefix for the binary), ONLY (space-separated case
# names, like the arguments), KEEP=1 keeps scratch directories.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
DDBTRAIL=${DDBTRAIL:-./ddbtrail}
case $DDBTRAIL in /*) ;; *) DDBTRAIL=$top/${DDBTRAIL#./} ;; esac
UNIT=${UNIT:-build/unit}
export DDBTRAIL VALGRIND
out=$top/tests/out/${SUITE_NAME:-main}
rm -rf "$out"
mkdir -p "$out"
pass=0 fail=0 skip=0 failed_names=""

cases() {
    # a missing unit binary is a failing case, never a suite that quietly shrank
    if [ -x "$UNIT" ]; then "$UNIT" --list | sed 's|^|unit/|'; else echo "unit/MISSING-BINARY"; fi
    for f in tests/cli/*.sh; do n=${f##*/}; echo "cli/${n%.sh}"; done
    for d in tests/detections/*/; do d=${d%/}; echo "detect/${d##*/}"; done
    for d in tests/golden/*/; do [ -f "$d/cmd" ] && { d=${d%/}; echo "golden/${d##*/}"; }; done
}

run_case() {
    name=$1
    log=$out/$(echo "$name" | tr / _).log
    case $name in
    unit/*) [ -x "$UNIT" ] || { echo "unit test binary $UNIT missing (make $UNIT)" >"$log"; return 1; }
            "$UNIT" "${name#unit/}" >"$log" 2>&1 ;;
    cli/*) [ -f tests/cli/"${name#cli/}".sh ] || { echo "no test tests/cli/${name#cli/}.sh" >"$log"; return 1; }
           sh tests/cli/"${name#cli/}".sh >"$log" 2>&1 ;;
    detect/*) sh tests/detect-pair.sh "${name#detect/}" >"$log" 2>&1 ;;
    golden/*) sh tests/golden.sh "${name#golden/}" >"$log" 2>&1 ;;
    *) echo "unknown case $name (unit/, cli/, detect/ or golden/)" >"$log"; return 1 ;;
    esac
}

list=${ONLY:-$*}
[ -n "$list" ] || list=$(cases)
for c in $list; do
    run_case "$c"
    rc=$?
    if [ $rc = 0 ]; then
        pass=$((pass + 1)); echo "ok   $c"
    elif [ $rc = 77 ]; then
        skip=$((skip + 1)); echo "skip $c: $(tail -n 1 "$out/$(echo "$c" | tr / _).log")"
    else
        fail=$((fail + 1)); failed_names="$failed_names $c"; echo "FAIL $c"
        sed 's/^/    | /' "$out/$(echo "$c" | tr / _).log" | tail -n 25
    fi
done
[ -z "$failed_names" ] || echo "failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
