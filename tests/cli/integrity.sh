#!/bin/sh
# ddbtrail verify, offline: the sample tree with the deleted log file put back
# verifies clean, with and without signatures; each tamper is reported exactly
# once with its kind; broken digest files are rejected naming file and byte; scan
# raises DDB-LOG-TAMPER for the sample's deleted file.
. "$(dirname "$0")/../lib.sh"
keys=tests/integrity/public-keys.json
fresh() { # a clean copy of the sample tree in $T/$1
    rm -rf "$T/$1"; cp -r sample-logs "$T/$1"
    cp tests/integrity/deleted-log.json.gz "$T/$1/$(cat tests/integrity/deleted-log.path)"
}
kinds() { grep -v '^integrity: ' "$T/out" | sed -n 's/^\([a-z]*\): .*/\1/p' | sort | tr '\n' ' '; }

# the sample as shipped: one log file deleted by the attacker
run verify sample-logs/
eq "$rc" 1 "sample: problems found"
eq "$(kinds)" "missing " "sample: exactly the deleted log file"
contains "$T/out" "20261112T0405Z" "names the deleted file"

fresh clean
run verify "$T/clean"
eq "$rc" 0 "clean tree: exit 0"
eq "$(kinds)" "" "clean tree: no problem"
contains "$T/out" "integrity: 169 log files verified against 336 digests: 0 missing, 0 modified, 0 broken chain, 0 gaps, 0 unlisted" "summary"
run verify --public-keys "$keys" "$T/clean"
eq "$rc" 0 "clean tree with signatures: exit 0"
contains "$T/out" "signatures: 334 verified, 0 bad, 2 newest not verifiable offline (S3 metadata)" \
    "every signature checked but the two newest, which are said not verifiable"

day=AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/13
dday=AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/13
# a deleted log file
fresh t1; rm "$T/t1/$day/"*T1005Z*
run verify "$T/t1"; eq "$rc" 1 "deleted log: exit 1"; eq "$(kinds)" "missing " "deleted log: missing, once"
# one changed byte in a re-gzipped log file
fresh t2; f=$(ls "$T/t2/$day/"*T1105Z*)
zcat "$f" | sed 's/"eventName":"GetItem"/"eventName":"GetItex"/' | gzip -n >"$f.new"; mv "$f.new" "$f"
run verify "$T/t2"; eq "$(kinds)" "modified " "changed byte: modified, once"
# a deleted digest (mid-chain)
fresh t3; rm "$T/t3/$dday/"*T120000Z*
run verify "$T/t3"; eq "$(kinds)" "chain " "deleted digest: broken chain, once"
# an inserted log file
fresh t4; cp "$(ls "$T/t4/$day/"*T1205Z*)" "$T/t4/$day/111122223333_CloudTrail_eu-west-1_20261113T1215Z_00000000injected.json.gz"
run verify "$T/t4"; eq "$(kinds)" "unlisted " "inserted log: unlisted, once"
# a digest whose signature does not match (the newest digest carries its predecessor's)
fresh t5; f=$(ls "$T/t5/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/16/"*T000000Z*)
zcat "$f" | python3 -c "
import json, sys
d = json.load(sys.stdin)
s = d['previousDigestSignature']
d['previousDigestSignature'] = ('0' if s[0] != '0' else '1') + s[1:]
sys.stdout.write(json.dumps(d, separators=(',', ':')))" | gzip -n >"$f.new"; mv "$f.new" "$f"
run verify "$T/t5"; eq "$(kinds)" "" "forged signature: invisible without keys"
run verify --public-keys "$keys" "$T/t5"; eq "$(kinds)" "signature " "forged signature: signature, once"
# hours with no digest: logging stopped, the chain restarted after a hole
fresh t7; dd16=AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/16
dd15=AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/15
rm "$T/t7/$dd15/"*T230000Z*
f=$(ls "$T/t7/$dd16/"*T000000Z*)
zcat "$f" | python3 -c "
import json, sys
d = json.load(sys.stdin)
for k in ('previousDigestS3Bucket', 'previousDigestS3Object', 'previousDigestHashValue',
          'previousDigestHashAlgorithm', 'previousDigestSignature'):
    d[k] = None
sys.stdout.write(json.dumps(d, separators=(',', ':')))" | gzip -n >"$f.new"; mv "$f.new" "$f"
run verify "$T/t7"; eq "$(kinds)" "gap " "an hour without digests: gap, once"
contains "$T/out" "no digest for 2026-11-15T22:00:00Z .. 2026-11-15T23:00:00Z" "the gap's hours named"
# JSON output
run verify --format json "$T/t1"
eq "$(jq -r .kind "$T/out")" missing "json: one object per problem"
# truncated and malformed digests: a clear error naming file and byte, exit 3, no crash
fresh t6; g=$(ls "$T/t6/$dday/"*T130000Z*); head -c 40 "$g" >"$g.cut"; mv "$g.cut" "$g"
h=$(ls "$T/t6/$dday/"*T140000Z*); printf '{"awsAccountId": "1", "digestStartTime": ' | gzip -n >"$h"
run verify "$T/t6"
contains "$T/err" "T130000Z.json.gz: truncated gzip stream (byte 40)" "truncated digest named with its byte"
contains "$T/err" "T140000Z.json.gz: not JSON: .*(decompressed byte [0-9]*)" "malformed digest named with its byte"
ok_if '[ "$rc" = 1 ] || [ "$rc" = 3 ]' "unreadable digests: exit 1 or 3, not a crash (got $rc)"
run verify "$T/does-not-exist"
eq "$rc" 2 "a path that does not exist, and no other: a usage error, exit 2"
contains "$T/err" "does-not-exist: No such file or directory" "and named"
# scan verifies the digests in the trees it reads: DDB-LOG-TAMPER
run scan -q --db "$T/s.db" --format json --only DDB-LOG-TAMPER sample-logs/ --config sample-logs/ddbtrail.json
eq "$(q "$T/s.db" "SELECT kind FROM integrity")" missing "scan stored the finding"
eq "$(q "$T/s.db" "SELECT severity FROM alerts WHERE rule_id = 'DDB-LOG-TAMPER'")" critical "DDB-LOG-TAMPER critical"
done_case
