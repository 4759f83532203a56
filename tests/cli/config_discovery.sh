#!/bin/sh
# `ddbtrail init` writes a commented config with every key that loads as it
# is; it never overwrites a file (unless --force) nor writes through a link.
# Config discovery: --config, then $DDBTRAIL_CONFIG, then ./ddbtrail.json,
# then $XDG_CONFIG_HOME/ddbtrail/config.json; the report names the file used.
. "$(dirname "$0")/../lib.sh"
unset DDBTRAIL_CONFIG # lib.sh turns discovery off for every other case
logs="$top/sample-logs"
mkdir -p "$T/w"
cd "$T/w" || exit 1
run init
eq "$rc" 0 "init status"
ok_if '[ -s ddbtrail.json ]' "init wrote ./ddbtrail.json"
eq "$(grep -c '^  "' ddbtrail.json)" "$(ddb detect --help | sed -n '/^config keys/,$p' | grep -c '^  [a-z_]* ')" \
   "every key documented in --help is in the example"
run init
eq "$rc" 2 "a second init keeps the file"
contains "$T/err" "replace it with --force" "says how to replace it"
echo '{"allowed_regions": ["eu-west-1"]}' >ddbtrail.json
run init --force
eq "$rc" 0 "--force replaces it"
lacks ddbtrail.json '"eu-west-1"' "replaced"
ln -s "$T/elsewhere" link.json
run init --force link.json
eq "$rc" 2 "never through a symbolic link"
ok_if '[ ! -e "$T/elsewhere" ]' "nothing written at the link's target"
run init -
eq "$rc" 0 "init - status"
cp "$T/out" "$T/stdout.json"
cmp -s "$T/stdout.json" ddbtrail.json || fail "init - writes what init writes"

# the example loads as it is, and means the defaults: the same alerts as no config at all
run scan -q --format json --config ddbtrail.json "$logs"
sort "$T/out" >"$T/with"
rm ddbtrail.json
run scan -q --format json "$logs"
sort "$T/out" >"$T/without"
cmp -s "$T/with" "$T/without" || fail "the example config means the defaults"
run scan -q "$logs"
contains "$T/out" "DDB-OFF-REGION skipped" "with no config found, rules that need one say so"
contains "$T/out" "config     none (built-in defaults)" "and the report says no config was read"

# discovery, in order
echo '{"allowed_regions": ["eu-west-1"]}' >ddbtrail.json
run scan -q "$logs"
contains "$T/out" "config     ddbtrail.json (found)" "./ddbtrail.json found and named"
lacks "$T/out" "DDB-OFF-REGION skipped" "and read"
mkdir -p "$T/xdg/ddbtrail"
echo '{"allowed_regions": ["us-east-1"]}' >"$T/xdg/ddbtrail/config.json"
run scan -q "$logs"
contains "$T/out" "config     ddbtrail.json (found)" "./ddbtrail.json before XDG"
rm ddbtrail.json
XDG_CONFIG_HOME="$T/xdg" run scan -q "$logs"
contains "$T/out" "config     $T/xdg/ddbtrail/config.json (found)" "then \$XDG_CONFIG_HOME/ddbtrail/config.json"
(unset XDG_CONFIG_HOME; mkdir -p "$T/home/.config/ddbtrail"
 cp "$T/xdg/ddbtrail/config.json" "$T/home/.config/ddbtrail/"
 HOME="$T/home" "$DDBTRAIL" scan -q "$logs" >"$T/out" 2>&1)
contains "$T/out" "config     $T/home/.config/ddbtrail/config.json (found)" "~/.config when XDG_CONFIG_HOME is unset"
echo '{"allowed_regions": ["eu-west-1"]}' >"$T/env.json"
DDBTRAIL_CONFIG="$T/env.json" XDG_CONFIG_HOME="$T/xdg" run scan -q "$logs"
contains "$T/out" "config     $T/env.json (DDBTRAIL_CONFIG)" "\$DDBTRAIL_CONFIG before discovery"
DDBTRAIL_CONFIG="$T/env.json" run scan -q --config "$T/xdg/ddbtrail/config.json" "$logs"
contains "$T/out" "config     $T/xdg/ddbtrail/config.json (--config)" "--config first"
run scan -q --format html --config "$T/env.json" "$logs"
contains "$T/out" "env.json (--config)</td>" "the HTML report names it too"
echo '{"allowed_regions": ["eu-west-l"]}' >ddbtrail.json
run scan -q "$logs"
eq "$rc" 2 "a found config is checked like a given one"
DDBTRAIL_CONFIG= run scan -q "$logs"
eq "$rc" 0 "DDBTRAIL_CONFIG set and empty: nothing looked for"
contains "$T/out" "config     none (built-in defaults)" "and said"
done_case
