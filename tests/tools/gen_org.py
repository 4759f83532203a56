#!/usr/bin/env python3
"""Generates an organisation trail's S3 tree for the sharding tests.

    python3 tests/tools/gen_org.py OUT_DIR

OUT_DIR/org/AWSLogs/o-7example01/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz
for seven member accounts of different volumes (two days, two regions), in
the record shape CloudTrail documents, plus OUT_DIR/org/loose/mixed.json: one
file (as `aws cloudtrail lookup-events` users paste together) whose records
belong to several accounts, so that sharding by recipientAccountId is tested
too, and OUT_DIR/config.json (the allowed regions). Attacks run inside
single accounts:

  222200000002  an IAM user's long-term key from the internet scans 6 tables
  333300000003  a role describes 12 tables, then deletes 4
  555500000005  reads in ap-southeast-1 with an attack tool's user agent
  666600000006  (loose file) a second IAM user key scanning from the internet

Same seed, same bytes: gzip mtime is pinned.
"""
import gzip
import io
import json
import os
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone

ORG = "o-7example01"
ACCOUNTS = {  # account: routine events per file (different volumes, to test balance)
    "111100000001": 30, "222200000002": 12, "333300000003": 20, "444400000004": 8,
    "555500000005": 16, "666600000006": 10, "777700000007": 24,
}
REGIONS = ["eu-west-1", "eu-central-1"]
TABLES = ["orders", "customers", "payments", "inventory", "sessions", "audit-log"]
START = datetime(2026, 10, 5, tzinfo=timezone.utc)
HOURS = [1, 5, 9, 13, 17, 21]
rng = random.Random(20261125)


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def role(acct, name, session):
    pid = "AROA" + acct + name.upper()[:4]
    return {"type": "AssumedRole", "principalId": f"{pid}:{session}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{name}/{session}", "accountId": acct,
            "accessKeyId": "ASIA" + acct + "XAMPL",
            "sessionContext": {"sessionIssuer": {
                "type": "Role", "principalId": pid, "arn": f"arn:aws:iam::{acct}:role/{name}",
                "accountId": acct, "userName": name},
                "attributes": {"creationDate": "2026-10-05T00:00:00Z",
                               "mfaAuthenticated": "false"}}}


def user(acct, name, key):
    return {"type": "IAMUser", "principalId": "AIDA" + acct + "USER", "accountId": acct,
            "arn": f"arn:aws:iam::{acct}:user/{name}", "accessKeyId": key, "userName": name}


def event(acct, t, region, ident, name, table, ip, agent, vpce=None, data=True):
    ev = {
        "eventVersion": "1.09", "userIdentity": ident, "eventTime": iso(t),
        "eventSource": "dynamodb.amazonaws.com", "eventName": name, "awsRegion": region,
        "sourceIPAddress": ip, "userAgent": agent,
        "requestParameters": {"tableName": table} if table else None,
        "responseElements": None, "requestID": uid().replace("-", "").upper(),
        "eventID": uid(), "readOnly": name in ("GetItem", "Query", "Scan", "DescribeTable",
                                                "ListTables"),
        "eventType": "AwsApiCall", "managementEvent": not data,
        "recipientAccountId": acct, "eventCategory": "Data" if data else "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"dynamodb.{region}.amazonaws.com"}}
    if table:
        ev["resources"] = [{"accountId": acct, "type": "AWS::DynamoDB::Table",
                            "ARN": f"arn:aws:dynamodb:{region}:{acct}:table/{table}"}]
    if vpce:
        ev["vpcEndpointId"] = vpce
        ev["vpcEndpointAccountId"] = acct
    return ev


def routine(acct, t, region, n):
    app = role(acct, "orders-app", "i-0" + acct[:8])
    out = []
    for i in range(n):
        out.append(event(acct, t + timedelta(seconds=7 * i), region, app,
                         rng.choice(["GetItem", "PutItem", "Query", "UpdateItem"]),
                         rng.choice(TABLES), "10.0.%d.%d" % (rng.randrange(4), rng.randrange(250)),
                         "aws-sdk-java/2.25.0 Linux/5.10", "vpce-0" + acct[:8] + "aa"))
    return out


def attacks(acct, t, region):
    """Events an attack adds to the file of hour t (the second day, 13:00, eu-west-1)."""
    if t.day != 6 or t.hour != 13 or region != "eu-west-1":
        return []
    out = []
    if acct == "222200000002":
        key = user(acct, "svc-etl", "AKIA2222000000EXAMPL")
        for i in range(60):
            out.append(event(acct, t + timedelta(seconds=20 + 10 * i), region, key, "Scan",
                             TABLES[i % 6], "185.220.101.47", "aws-cli/2.15.0 Python/3.11"))
    if acct == "333300000003":
        ops = role(acct, "ops-admin", "rotating-1")
        for i in range(12):
            out.append(event(acct, t + timedelta(seconds=30 + 5 * i), region, ops,
                             "DescribeTable", "tbl-%02d" % i, "10.1.0.9", "aws-cli/2.15.0",
                             data=False))
        for i in range(4):
            out.append(event(acct, t + timedelta(seconds=200 + 9 * i), region, ops,
                             "DeleteTable", "tbl-%02d" % i, "10.1.0.9", "aws-cli/2.15.0",
                             data=False))
    return out


def off_region(acct, t):
    """Account 5 reads in a region outside the allowed ones, with an attack tool."""
    if acct != "555500000005" or t.day != 6 or t.hour != 9:
        return []
    intr = role(acct, "contractor", "laptop")
    return [event(acct, t + timedelta(seconds=3 * i), "ap-southeast-1", intr, "GetItem",
                  "customers", "10.9.0.4", "aws-cli/2.15.0 Linux/6.1.0-kali9-amd64",
                  "vpce-0" + acct[:8] + "aa") for i in range(5)]


def write_gz(path, records):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as g:
        g.write(json.dumps({"Records": records}, separators=(",", ":")).encode())
    with open(path, "wb") as f:
        f.write(buf.getvalue())


def main(top):
    out = os.path.join(top, "org")
    for acct, n in ACCOUNTS.items():
        for day in range(2):
            for region in REGIONS:
                for hour in HOURS:
                    t = START + timedelta(days=day, hours=hour)
                    recs = routine(acct, t, region, n) + attacks(acct, t, region)
                    if region == "eu-west-1":
                        recs += off_region(acct, t)
                    name = "%s_CloudTrail_%s_%sT%02d%02dZ_%s.json.gz" % (
                        acct, region, t.strftime("%Y%m%d"), t.hour, 5,
                        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                for _ in range(16)))
                    write_gz(os.path.join(out, "AWSLogs", ORG, acct, "CloudTrail", region,
                                          t.strftime("%Y/%m/%d"), name), recs)
    # one loose file, records of several accounts, with an attack of account 6
    t = START + timedelta(days=1, hours=15)
    acct = "666600000006"
    key = user(acct, "legacy-batch", "AKIA6666000000EXAMPL")
    recs = [event(acct, t + timedelta(seconds=15 * i), "eu-west-1", key, "Scan",
                  TABLES[i % 6], "198.51.100.77", "Boto3/1.34.0 Python/3.12")
            for i in range(55)]
    for other in ("111100000001", "444400000004", "777700000007"):
        recs += routine(other, t, "eu-central-1", 5)
    os.makedirs(os.path.join(out, "loose"), exist_ok=True)
    with open(os.path.join(out, "loose", "mixed.json"), "w") as f:
        json.dump({"Records": recs}, f, separators=(",", ":"))
    with open(os.path.join(top, "config.json"), "w") as f:
        json.dump({"allowed_regions": ["eu-west-1", "eu-central-1"]}, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: gen_org.py OUT_DIR")
    main(sys.argv[1])
