#!/bin/sh
# Item estimates, generically (event_items, filled when the catalogue judges
# the events): one row per table a call touches, with what it does to items
# and how many the record says, whatever form the record takes — CloudTrail's
# requestItems list, the API's table map, transactions, PartiQL statement
# lists, single-item calls, Scan/Query by Limit. A BatchGetItem over seven
# tables is seven tables, not one; a call the record cannot size says so.
. "$(dirname "$0")/../lib.sh"
python3 - "$T/items.json" <<'PY'
import json, sys
A = "111122223333"
who = {"type": "IAMUser", "arn": "arn:aws:iam::%s:user/app" % A, "accountId": A,
       "accessKeyId": "AKIAAPPKEY0000000001"}
n = [0]
def ev(name, rp):
    n[0] += 1
    return {"eventVersion": "1.09", "eventID": "it-%d" % n[0], "eventSource": "dynamodb.amazonaws.com",
            "eventName": name, "eventTime": "2026-11-12T01:%02d:00Z" % n[0], "awsRegion": "eu-west-1",
            "sourceIPAddress": "10.0.0.5", "userIdentity": who, "recipientAccountId": A,
            "eventCategory": "Data", "requestParameters": rp}
recs = [
    # 1: CloudTrail's list form over seven tables
    ev("BatchGetItem", {"requestItems": [{"tableName": "t%d" % i, "key": {"pk": str(i)}} for i in range(7)]}),
    # 2: the API's map form: keys per table
    ev("BatchGetItem", {"requestItems": {"a": {"keys": [{"pk": 1}, {"pk": 2}]}, "b": {"keys": [{"pk": 3}]}}}),
    # 3: a batch write of two puts and three deletes, map form
    ev("BatchWriteItem", {"requestItems": {"orders": [{"putRequest": {}}, {"putRequest": {}},
                                                      {"deleteRequest": {}}, {"deleteRequest": {}},
                                                      {"deleteRequest": {}}]}}),
    # 4: CloudTrail's list form of a batch write
    ev("BatchWriteItem", {"requestItems": [{"operation": "Delete", "tableName": "orders", "key": {}},
                                           {"operation": "Put", "tableName": "carts", "key": {}}]}),
    # 5: a transaction across three tables
    ev("TransactWriteItems", {"transactItems": [{"put": {"tableName": "x"}}, {"delete": {"tableName": "y"}},
                                                {"conditionCheck": {"tableName": "z"}}]}),
    # 6: PartiQL: a keyed read, a scan and a delete in one batch
    ev("BatchExecuteStatement", {"statements": [{"statement": "SELECT * FROM \"p\" WHERE pk = 1"},
                                                {"statement": "SELECT * FROM \"q\""},
                                                {"statement": "DELETE FROM \"r\" WHERE pk = 2"}]}),
    # 7, 8: a scan with a Limit, a query without
    ev("Scan", {"tableName": "s", "limit": 25}),
    ev("Query", {"tableName": "s"}),
    # 9: a single delete; 10: a GetItem with no requestParameters at all
    ev("DeleteItem", {"tableName": "d", "key": {}}),
    ev("GetItem", None),
]
recs[-1]["requestParameters"] = None
# 11: a transaction as AWS's CloudTrail example logs it: requestItems with operation, and
# TableName capitalised on some entries
recs.append(ev("TransactWriteItems", {"requestItems": [
    {"operation": "Put", "tableName": "m", "key": {}},
    {"operation": "Delete", "TableName": "m", "key": {}},
    {"operation": "ConditionCheck", "TableName": "m", "Key": {}}]}))
# 12, 13: keys the log escapes (\u006cimit, \u0072equestItems) are keys all the same; 14: a
# Query whose only "limit" is inside a string cannot be sized
recs.append(ev("Scan", {"tableName": "s2", "LIMIT-KEY": 7}))
recs.append(ev("BatchWriteItem", {"REQUEST-ITEMS-KEY": {"e": [{"deleteRequest": {}}]}}))
recs.append(ev("Query", {"tableName": "s3", "filterExpression": "\"limit\" = :v"}))
text = json.dumps({"Records": recs})
text = text.replace('"LIMIT-KEY"', '"\\u006cimit"')
text = text.replace('"REQUEST-ITEMS-KEY"', '"\\u0072equestItems"')
open(sys.argv[1], "w").write(text)
PY
run scan -q --db "$T/i.db" "$T/items.json"
rows() { q "$T/i.db" "SELECT group_concat(coalesce(tbl, '-') || ':' || op || ':' || coalesce(items, '?'), ' ')
  FROM (SELECT * FROM event_items WHERE event_id = '$1' ORDER BY tbl, op)"; }
eq "$(rows it-1)" "t0:read:1 t1:read:1 t2:read:1 t3:read:1 t4:read:1 t5:read:1 t6:read:1" \
   "a BatchGetItem over seven tables: seven tables"
eq "$(rows it-2)" "a:read:2 b:read:1" "the API's map form: keys per table"
eq "$(rows it-3)" "orders:delete:3 orders:write:2" "a batch write: its deletes and puts"
eq "$(rows it-4)" "carts:write:1 orders:delete:1" "CloudTrail's list form of a batch write"
eq "$(rows it-5)" "x:write:1 y:delete:1 z:check:1" \
   "a transaction, each item with its table (a condition check changes nothing)"
eq "$(rows it-6)" "p:read:1 q:read:? r:delete:1" "PartiQL: a key read, a scan of unknown size, a delete"
eq "$(rows it-7)" "s:read:25" "a Scan by its Limit"
eq "$(rows it-8)" "s:read:?" "a Query without Limit cannot be sized"
eq "$(q "$T/i.db" "SELECT basis FROM event_items WHERE event_id = 'it-8'")" "no Limit: unbounded" "and says why"
eq "$(rows it-9)" "d:delete:1" "a single delete"
eq "$(rows it-10)" "-:read:1" "a GetItem without requestParameters is still one item"
eq "$(rows it-11)" "m:check:1 m:delete:1 m:write:1" \
   "AWS's example form: TableName as well as tableName, ConditionCheck a check"
eq "$(rows it-12)" "s2:read:7" "an escaped limit key read as the Limit"
eq "$(rows it-13)" "e:delete:1" "an escaped requestItems key read as the batch"
eq "$(rows it-14)" "s3:read:?" "a limit only inside a string is no Limit"
# judged once: a second detect adds no rows
n=$(q "$T/i.db" "SELECT count(*) FROM event_items")
run detect -q --db "$T/i.db"
eq "$(q "$T/i.db" "SELECT count(*) FROM event_items")" "$n" "a second detect adds nothing"
# one judgement serves every subset of the rules: --only judges nothing again, nor does
# the full run after it
run detect -q --timings --only DDB-ROOT --db "$T/i.db"
contains "$T/err" "(0 event(s) judged)" "--only after a full detect judges nothing"
run detect -q --timings --db "$T/i.db"
contains "$T/err" "(0 event(s) judged)" "nor does a full detect after --only"
done_case
