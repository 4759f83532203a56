#!/bin/sh
# Installs the Debian packages ddbtrail needs to build and test, if missing.
# Used by `make run` and `make test` so both work on a fresh Debian machine;
# `install-deps.sh test` also installs what only tests use (Dask for the
# ddbtrail-dask runner, run by Debian's /usr/bin/python3).
set -e
need=""
for pair in zlib:zlib1g-dev yajl:libyajl-dev sqlite3:libsqlite3-dev libpcre2-8:libpcre2-dev libcrypto:libssl-dev; do
    pc=${pair%%:*}; pkg=${pair#*:}
    pkg-config --exists "$pc" 2>/dev/null || need="$need $pkg"
done
command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
command -v sqlite3 >/dev/null 2>&1 || need="$need sqlite3"
command -v jq >/dev/null 2>&1 || need="$need jq"
command -v python3 >/dev/null 2>&1 || need="$need python3"
if [ "${1:-}" = test ]; then
    /usr/bin/python3 -c 'import distributed' >/dev/null 2>&1 || need="$need python3-distributed"
    command -v strace >/dev/null 2>&1 || need="$need strace"
    command -v chromium >/dev/null 2>&1 || need="$need chromium"
    command -v npm >/dev/null 2>&1 || need="$need npm"
fi
[ -z "$need" ] && exit 0
echo "ddbtrail: installing missing packages:$need" >&2
if [ "$(id -u)" != 0 ]; then
    echo "ddbtrail: not root; run: sudo apt-get install -y$need" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q $need >/dev/null
