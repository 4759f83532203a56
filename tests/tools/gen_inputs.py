#!/usr/bin/env python3
"""Writes tests/inputs/: one small file per input shape a user pipes in besides
CloudTrail's own files, in the shapes AWS documents for them (tests/inputs/SOURCES.md
names the pages). Each embeds CloudTrail DynamoDB events as JSON strings.
Deterministic: `python3 tests/tools/gen_inputs.py` from the project root."""
import gzip
import io
import json
import os

A = "111122223333"
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "inputs")


def event(eid, name, minute, table="orders"):
    return {"eventVersion": "1.09",
            "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLE:app",
                             "arn": "arn:aws:sts::%s:assumed-role/orders-app-role/app" % A,
                             "accountId": A, "accessKeyId": "ASIAEXAMPLEKEY000001",
                             "sessionContext": {"sessionIssuer": {
                                 "type": "Role", "arn": "arn:aws:iam::%s:role/orders-app-role" % A,
                                 "accountId": A, "userName": "orders-app-role"}}},
            "eventTime": "2026-11-12T02:%02d:00Z" % minute, "eventSource": "dynamodb.amazonaws.com",
            "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": "10.20.1.9",
            "userAgent": "aws-sdk-java/2.25.10", "requestParameters": {"tableName": table},
            "responseElements": None, "requestID": "REQ" + eid.upper().replace("-", "")[:20],
            "eventID": eid, "readOnly": name == "DescribeTable", "eventType": "AwsApiCall",
            "managementEvent": True, "recipientAccountId": A, "eventCategory": "Management"}


def s(e):
    return json.dumps(e, separators=(",", ":"))


os.makedirs(out, exist_ok=True)
# aws cloudtrail lookup-events --output json: two pages, appended by a NextToken loop
pages = []
for p, ids in enumerate([["lk-1", "lk-2"], ["lk-3", "lk-bad"]]):
    evs = []
    for k, eid in enumerate(ids):
        e = event(eid, "DescribeTable", 10 * p + k)
        text = s(e) if eid != "lk-bad" else s(e)[:60]  # a page with one cut-off event
        evs.append({"EventId": eid, "EventName": e["eventName"], "ReadOnly": "true",
                    "AccessKeyId": e["userIdentity"]["accessKeyId"], "EventTime": 1794448800 + p,
                    "EventSource": e["eventSource"], "Username": "app",
                    "Resources": [{"ResourceType": "AWS::DynamoDB::Table", "ResourceName": "orders"}],
                    "CloudTrailEvent": text})
    page = {"Events": evs}
    if p == 0:
        page["NextToken"] = "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4IDbeQdiObkp9YAlju3oXd12juy3CIZW8="
    pages.append(json.dumps(page, indent=4))
with open(os.path.join(out, "lookup-events.json"), "w") as f:
    f.write("\n".join(pages) + "\n")

# aws logs filter-log-events --log-group-name CloudTrail/logs --output json
cw = {"events": [{"logStreamName": "%s_CloudTrail_eu-west-1" % A, "timestamp": 1794449400000 + k,
                  "message": s(event("cw-%d" % k, "DescribeTable", 20 + k)),
                  "ingestionTime": 1794449401000 + k, "eventId": "3795311061" + "%045d" % k}
                 for k in range(3)],
      "searchedLogStreams": []}
with open(os.path.join(out, "cloudwatch-filter-log-events.json"), "w") as f:
    json.dump(cw, f, indent=4)
    f.write("\n")

# a CloudWatch Logs subscription delivery as Firehose writes it to S3: gzip members of
# concatenated records, the first a health check
ctl = {"messageType": "CONTROL_MESSAGE", "owner": "CloudwatchLogs", "logGroup": "",
       "logStream": "", "subscriptionFilters": [],
       "logEvents": [{"id": "", "timestamp": 1794449400000,
                      "message": "CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}
data = {"messageType": "DATA_MESSAGE", "owner": A, "logGroup": "CloudTrail/logs",
        "logStream": "%s_CloudTrail_eu-west-1" % A, "subscriptionFilters": ["to-firehose"],
        "logEvents": [{"id": "3795311061%045d" % (10 + k), "timestamp": 1794449460000 + k,
                       "message": s(event("sub-%d" % k, "DescribeTable", 30 + k))} for k in range(2)]}
buf = io.BytesIO()
for rec in (ctl, data):
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(s(rec).encode())
with open(os.path.join(out, "cloudwatch-subscription.json.gz"), "wb") as f:
    f.write(buf.getvalue())

# aws cloudtrail get-query-results for "SELECT eventJson FROM <event data store> ..."
lake = {"QueryStatus": "FINISHED",
        "QueryStatistics": {"ResultsCount": 2, "TotalResultsCount": 2, "BytesScanned": 4096},
        "QueryResultRows": [[{"eventJson": s(event("lake-%d" % k, "DescribeTable", 40 + k))}]
                            for k in range(2)]}
with open(os.path.join(out, "lake-query-results.json"), "w") as f:
    json.dump(lake, f, indent=4)
    f.write("\n")
print("wrote tests/inputs")
