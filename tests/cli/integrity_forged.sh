#!/bin/sh
# Integrity against a forger who has read the verifier (issue 22, D1-D5) and
# scoped to what was downloaded: each tree below is forged or cut the way an
# attacker or a newcomer would, and each case failed on the verifier before
# (0 problems, or 146 false alarms).
. "$(dirname "$0")/../lib.sh"
keys=tests/integrity/public-keys.json
fresh() { # a clean copy of the sample tree in $T/$1
    rm -rf "$T/$1"; cp -r sample-logs "$T/$1"
    cp tests/integrity/deleted-log.json.gz "$T/$1/$(cat tests/integrity/deleted-log.path)"
}
kinds() { grep -v '^integrity: ' "$T/out" | sed -n 's/^\([a-z]*\): .*/\1/p' | sort | uniq -c |
          awk '{printf "%s:%s ", $2, $1}'; }
A=AWSLogs/111122223333
day=$A/CloudTrail/eu-west-1/2026/11/13

# D1: a log file edited, its digest's hash rewritten, every later digest's previous hash
# rewritten and its signature set to null: nothing verifies the links any more
fresh d1
python3 - "$T/d1" "$day" <<'PY'
import glob, gzip, hashlib, json, os, sys
root, day = sys.argv[1], sys.argv[2]
log = sorted(glob.glob(os.path.join(root, day, "*T1105Z*")))[0]
text = gzip.open(log).read().replace(b'"GetItem"', b'"GetItex"', 1)
open(log, "wb").write(gzip.compress(text))
key = log[len(root) + 1:]
digests = {p[len(root) + 1:]: p for p in glob.glob(root + "/AWSLogs/*/CloudTrail-Digest/**/*.json.gz", recursive=True)}
def load(p): return json.loads(gzip.open(p).read())
def save(p, d):
    raw = json.dumps(d, separators=(",", ":")).encode()
    open(p, "wb").write(gzip.compress(raw))
    return hashlib.sha256(raw).hexdigest()
edited = [k for k, p in digests.items() if any(f["s3Object"] == key for f in load(p)["logFiles"])][0]
d = load(digests[edited])
for f in d["logFiles"]:
    if f["s3Object"] == key:
        f["hashValue"] = hashlib.sha256(text).hexdigest()
h = save(digests[edited], d)
nxt = {load(p).get("previousDigestS3Object"): k for k, p in digests.items()}
cur = edited
while cur in nxt:
    cur = nxt[cur]
    d = load(digests[cur])
    d["previousDigestHashValue"] = h
    d["previousDigestSignature"] = None
    h = save(digests[cur], d)
PY
run verify "$T/d1"
eq "$rc" 1 "D1 without keys: problems found"
contains "$T/out" "^signature: digest .* carries no signature for it" "D1: the unsigned links named"
run verify --public-keys "$keys" "$T/d1"
eq "$rc" 1 "D1 with keys: problems found"
lacks "$T/out" "^integrity: .* 0 missing, 0 modified, 0 broken chain, 0 gaps, 0 unlisted; signatures: [0-9]* verified, 0 bad" \
    "D1 with keys: never a clean summary with fewer signatures"

# D2: logging stopped for three hours; the digests of those hours deleted, the first digest
# after them made a chain head, and a forged filler with no previous fields laid over the hole
fresh d2
python3 - "$T/d2" <<'PY'
import glob, gzip, json, os, sys
root = sys.argv[1]
dd = root + "/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/14"
for h in ("T110000Z", "T120000Z", "T130000Z"):
    for p in glob.glob(dd + "/*%s*" % h): os.remove(p)
after = glob.glob(dd + "/*T140000Z*")[0]
d = json.loads(gzip.open(after).read())
for k in ("previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue",
          "previousDigestHashAlgorithm", "previousDigestSignature"):
    d[k] = None
open(after, "wb").write(gzip.compress(json.dumps(d).encode()))
filler = dict(d, digestStartTime="2026-11-14T10:00:00Z", digestEndTime="2026-11-14T13:00:00Z",
              logFiles=[])
name = os.path.basename(after).replace("T140000Z", "T130000Z")
filler["digestS3Object"] = after[len(root) + 1:].replace("T140000Z", "T130000Z")
open(os.path.join(dd, name), "wb").write(gzip.compress(json.dumps(filler).encode()))
PY
run verify "$T/d2"
eq "$rc" 1 "D2: the filler is found"
contains "$T/out" "^chain: digest .*T130000Z.* names no previous digest" "D2: the filler is outside the chain"
contains "$T/out" "^chain: digest .*T100000Z.* is named by no later digest" "D2: the chain goes around the digest before it"

# D3: an organization trail whose member account A lost five hours while account B's chain
# is whole: chains are per account, so B's digests do not cover A's hole
fresh d3
mkdir -p "$T/d3/AWSLogs/222233334444"
cp -r "$T/d3/$A/CloudTrail-Digest" "$T/d3/AWSLogs/222233334444/"
python3 - "$T/d3" <<'PY'
import glob, gzip, json, os, sys
root = sys.argv[1]
dd = root + "/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/14"
for h in ("T060000Z", "T070000Z", "T080000Z", "T090000Z", "T100000Z"):
    for p in glob.glob(dd + "/*%s*" % h): os.remove(p)
after = glob.glob(dd + "/*T110000Z*")[0]
d = json.loads(gzip.open(after).read())
for k in ("previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue",
          "previousDigestHashAlgorithm", "previousDigestSignature"):
    d[k] = None
open(after, "wb").write(gzip.compress(json.dumps(d).encode()))
PY
run verify "$T/d3"
contains "$T/out" "^gap: no digest for 2026-11-14T05:00:00Z .. 2026-11-14T10:00:00Z" \
    "D3: account A's five hours are a gap, whatever account B holds"

# D3 too: account B's digests are account A's copied over: each says it lives elsewhere
contains "$T/out" "^chain: digest AWSLogs/222233334444/.* says it is AWSLogs/111122223333/.* (digestS3Object): moved or copied" \
    "a digest copied from another account is named"

# D4: a file whose name says no time, and a region folder with logs but no digests
fresh d4
cp "$(ls "$T/d4/$day/"*T1205Z*)" "$T/d4/$day/injected.json.gz"
mkdir -p "$T/d4/$A/CloudTrail/ap-south-1/2026/11"
cp -r "$T/d4/$day" "$T/d4/$A/CloudTrail/ap-south-1/2026/11/"
run verify "$T/d4"
contains "$T/out" "^unlisted: log file .*/injected.json.gz is in the tree but no digest lists it" \
    "D4: a log file whose name carries no time is unlisted"
contains "$T/out" "^unlisted: 25 log file(s) under AWSLogs/111122223333/CloudTrail/ap-south-1/ but no digest" \
    "D4: a region with logs and no digests, once"
eq "$(grep -c '^unlisted: ' "$T/out")" 2 "D4: two findings, not one per file"

# D5: a listed log file whose gzip trailer is corrupt is modified, not merely unreadable
fresh d5
f=$(ls "$T/d5/$day/"*T1205Z*)
python3 - "$f" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-6] ^= 0xff; open(p, "wb").write(bytes(b))
PY
run verify "$T/d5"
eq "$rc" 1 "D5: exit 1 (a problem), not 3"
contains "$T/out" "^modified: log file .*T1205Z.* cannot be read to its end" "D5: modified"
run scan -q --db "$T/d5.db" --only DDB-LOG-TAMPER --format json "$T/d5"
eq "$(q "$T/d5.db" "SELECT count(*) FROM integrity WHERE kind = 'modified'")" 1 \
    "D5: recorded in the integrity table, so DDB-LOG-TAMPER sees it"

# scoped: one day of logs and the whole digest folder (what a newcomer downloads)
rm -rf "$T/day"; mkdir -p "$T/day/$A/CloudTrail/eu-west-1/2026/11"
cp -r "sample-logs/$A/CloudTrail-Digest" "$T/day/$A/"
cp -r "sample-logs/$day" "$T/day/$A/CloudTrail/eu-west-1/2026/11/"
run verify "$T/day"
eq "$rc" 0 "one day downloaded: clean"
eq "$(kinds)" "" "one day downloaded: no missing file"
contains "$T/out" "^integrity: .*; 145 listed log files not downloaded (.*): not checked" \
    "said once, in the summary, for what was not downloaded"
run scan -q --db "$T/day.db" "$T/day"
contains "$T/out" "^  integrity  24 log files verified against 336 digests: 0 missing.*145 listed log files not downloaded" \
    "and on the report itself"
run scan -q --format json --only DDB-LOG-TAMPER "$T/day"
eq "$(grep -c DDB-LOG-TAMPER "$T/out")" 0 "one day downloaded: no DDB-LOG-TAMPER"
# ... and in every format: on each alert of JSON Lines, CSV and OCSF, and in the run record
# that --summary adds (the only line of an alert-free JSON Lines report)
ntd="24 log files verified against 336 digests: 0 missing.*145 listed log files not downloaded"
run report --db "$T/day.db" --format json
eq "$(jq -r .integrity "$T/out" | grep -c "$ntd")" "$(wc -l <"$T/out")" \
    "JSON Lines: every alert carries the integrity summary"
run report --db "$T/day.db" --format csv
contains "$T/out" "^rule_id,.*,tables,integrity" "CSV: an integrity column"
eq "$(grep -c "$ntd" "$T/out")" "$(($(wc -l <"$T/out") - 1))" "CSV: on every row"
run report --db "$T/day.db" --format ocsf
eq "$(jq -r .unmapped.integrity "$T/out" | grep -c "$ntd")" "$(wc -l <"$T/out")" \
    "OCSF: every finding carries it (unmapped.integrity)"
run scan -q --format json --summary --only DDB-LOG-TAMPER "$T/day"
eq "$(wc -l <"$T/out")" 1 "--summary, no alert: one line, the run record"
eq "$(jq -r .record_type "$T/out")" summary "it is the run record"
eq "$(jq -r .integrity "$T/out" | grep -c "$ntd")" 1 "it says what was verified and not downloaded"
# inside the span downloaded, a missing file is still tampering
rm "$T/day/$day/"*T1005Z*
run verify "$T/day"
eq "$(kinds)" "missing:1 " "a file deleted inside the day: missing, once"
# a key outside its validity signs nothing: the sample's key, said to have expired before
python3 - "$keys" "$T/stale-keys.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
k["PublicKeyList"][0]["ValidityEndTime"] = 1793491200.0 + 3 * 86400  # 2026-11-04
json.dump(k, open(sys.argv[2], "w"))
PY
fresh keys
run verify --public-keys "$T/stale-keys.json" "$T/keys"
eq "$rc" 1 "a key past its validity: problems"
contains "$T/out" "^signature: digest .*: the public key of fingerprint .* was not valid at its time" \
    "named as not valid then"

# an hour's files deleted are one finding: a digest listing three files, none of them there
fresh fold
python3 - "$T/fold" <<'PY'
import glob, gzip, json, sys
root = sys.argv[1]
p = glob.glob(root + "/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/13/*T110000Z*")[0]
d = json.loads(gzip.open(p).read())
base = d["logFiles"][0]["s3Object"]
d["logFiles"] += [dict(d["logFiles"][0], s3Object=base.replace(".json.gz", "x%d.json.gz" % i))
                  for i in (1, 2)]
open(p, "wb").write(gzip.compress(json.dumps(d).encode()))
for f in d["logFiles"]:
    for q in glob.glob(root + "/" + f["s3Object"]):
        import os; os.remove(q)
PY
run verify "$T/fold"
contains "$T/out" "^missing: 3 log files listed by digest .*T110000Z.* are not in the tree" \
    "three files of one digest: one finding"
eq "$(grep -c '^missing: ' "$T/out")" 1 "one, not three"
contains "$T/out" "^integrity: .* 3 missing" "the summary still counts files"

# D6: the newest hour of the day deleted looks not downloaded, unless the period is given
rm "$T/day/$day/"*T23*
run verify "$T/day"
eq "$(kinds)" "missing:1 " "without a period, the deleted last hour is not seen (said in the README)"
run verify --start 2026-11-13 --end 2026-11-14 "$T/day"
eq "$(kinds)" "missing:2 " "with --start/--end, the deleted last hour is missing too"
contains "$T/out" "^integrity: chain AWSLogs/111122223333 org-trail eu-west-1: 2026-11-09T00:00:00Z .. 2026-11-16T00:00:00Z (168 digests)" \
    "each chain's span is printed"
run verify --start 2026-11-13 --end 2026-11-20 sample-logs/
contains "$T/out" "^gap: no digest for 2026-11-16T00:00:00Z .. 2026-11-20T00:00:00Z (trail org-trail, eu-west-1): the end of the period" \
    "a period past the newest digest is a gap"
run verify --start yesterday sample-logs/
eq "$rc" 2 "a bad --start is a usage error"
run scan -q --format json --only DDB-LOG-TAMPER --start 2026-11-13 --end 2026-11-14 "$T/day"
eq "$(grep -c DDB-LOG-TAMPER "$T/out")" 2 "scan takes the same period"
done_case
