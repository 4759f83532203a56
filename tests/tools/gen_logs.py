#!/usr/bin/env python3
"""Generates ddbtrail's bundled CloudTrail data, deterministically.

    python3 tests/tools/gen_logs.py          # rewrites sample-logs/ and tests/detections/

sample-logs/ is one week of a small company's CloudTrail in the S3 layout
(AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz), with one
incident inside it. tests/detections/<RULE>/ holds, per rule, a log that
must fire the rule and a benign twin that differs in one decisive way.

The same seed gives the same bytes (gzip mtime is pinned), so regenerating
shows up in git only when this script changes.
"""
import base64
import gzip
import hashlib
import json
import subprocess
import os
import random
import shutil
import sys
import uuid
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACCT = "111122223333"
FOREIGN = "999988887777"
HOME = "eu-west-1"
VPCE = "vpce-0a1b2c3d4e5f60789"
CMK = "arn:aws:kms:eu-west-1:111122223333:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b"
OTHER_KEY = "arn:aws:kms:eu-west-1:111122223333:key/9a8b7c6d-0000-4111-8222-933344445555"
TABLES = ["orders", "customers", "payments", "inventory", "sessions", "audit-log"]

rng = random.Random(20261109)


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def reqid():
    return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(52))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def role_identity(role, session, key=None, issuer_type="Role", mfa="false"):
    key = key or "ASIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    pid = "AROA" + role.upper().replace("-", "")[:12].ljust(12, "X") + ":" + session
    return {
        "type": "AssumedRole",
        "principalId": pid,
        "arn": f"arn:aws:sts::{ACCT}:assumed-role/{role}/{session}",
        "accountId": ACCT,
        "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {"type": issuer_type, "principalId": pid.split(":")[0],
                              "arn": f"arn:aws:iam::{ACCT}:role/{role}", "accountId": ACCT,
                              "userName": role},
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-09T00:00:00Z", "mfaAuthenticated": mfa},
        },
    }


def user_identity(user, key):
    return {"type": "IAMUser", "principalId": "AIDA" + user.upper().replace("-", "")[:12].ljust(12, "Z"),
            "arn": f"arn:aws:iam::{ACCT}:user/{user}", "accountId": ACCT, "accessKeyId": key,
            "userName": user}


def root_identity():
    return {"type": "Root", "principalId": ACCT, "arn": f"arn:aws:iam::{ACCT}:root",
            "accountId": ACCT, "accessKeyId": "ASIAROOTSESSION7EXMP",
            "sessionContext": {"attributes": {"creationDate": "2026-11-12T02:40:00Z",
                                              "mfaAuthenticated": "false"}}}


DATA = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
        "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement"}
READ = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems", "DescribeTable",
        "ListTables", "DescribeContinuousBackups", "DescribeTimeToLive", "ListTagsOfResource",
        "DescribeExport", "ListBackups", "GetResourcePolicy", "DescribeEndpoints"}


def ddb(t, ident, name, region=HOME, ip="10.20.1.15", ua=None, req=None, resp=None, vpce=None,
        table=None, error=None, source="dynamodb.amazonaws.com", vpce_acct=ACCT):
    ua = ua or "aws-sdk-java/2.25.10 Linux/5.10.219-208.866.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy"
    if req is None and table:
        req = {"tableName": table}
    is_data = name in DATA
    ev = {
        "eventVersion": "1.09",
        "userIdentity": ident,
        "eventTime": iso(t),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": ua,
        "requestParameters": req,
        "responseElements": resp,
        "requestID": reqid(),
        "eventID": uid(),
        "readOnly": name in READ,
        "eventType": "AwsApiCall",
        "apiVersion": "2012-08-10",
        "managementEvent": not is_data,
        "recipientAccountId": ACCT,
        "eventCategory": "Data" if is_data else "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"dynamodb.{region}.amazonaws.com"},
    }
    if table and is_data:
        ev["resources"] = [{"accountId": ACCT, "type": "AWS::DynamoDB::Table",
                            "ARN": f"arn:aws:dynamodb:{region}:{ACCT}:table/{table}"}]
    if vpce:
        ev["vpcEndpointId"] = vpce
        ev["vpcEndpointAccountId"] = vpce_acct
    if error:
        ev["errorCode"], ev["errorMessage"] = error
        ev["responseElements"] = None
    if ev["requestParameters"] is None:
        ev["requestParameters"] = None
    return ev


def other(t, ident, source, name, ip="10.20.1.15", req=None, resp=None, ua="aws-cli/2.15.30",
          read_only=False, error=None):
    ev = {
        "eventVersion": "1.09", "userIdentity": ident, "eventTime": iso(t), "eventSource": source,
        "eventName": name, "awsRegion": HOME, "sourceIPAddress": ip, "userAgent": ua,
        "requestParameters": req, "responseElements": resp, "requestID": reqid(),
        "eventID": uid(), "readOnly": read_only, "eventType": "AwsApiCall",
        "managementEvent": True, "recipientAccountId": ACCT, "eventCategory": "Management",
    }
    if error:
        ev["errorCode"], ev["errorMessage"] = error
    return ev


def tarn(table, region=HOME):
    return f"arn:aws:dynamodb:{region}:{ACCT}:table/{table}"


# --- actors ---------------------------------------------------------------

APP = lambda: role_identity("orders-app-role", "i-0c4f5e6a7b8c9d0e1")
DAX = lambda: role_identity("DAXServiceRole", "DAX-orders-cache-01")
CI = lambda: role_identity("github-ci-deploy", "GitHubActions")
INFRA = lambda: role_identity("platform-admin", "alice@example.com", mfa="true")
CI_IP = "34.248.110.17"           # the CI runners' NAT, listed in trusted_cidrs
LEAKED_KEY = "AKIA5Q3EXAMPLELEAKED"
ATTACKER_IP = "185.220.101.47"
KALI_UA = "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-kali3-amd64 exe/x86_64.kali.2023 prompt/off command/dynamodb.scan"
LEAKED = lambda: user_identity("svc-reporting", LEAKED_KEY)


def create_table(t, ident, table, ip, ua, protect=True, kms=CMK, region=HOME):
    req = {"tableName": table, "billingMode": "PAY_PER_REQUEST",
           "attributeDefinitions": [{"attributeName": "pk", "attributeType": "S"}],
           "keySchema": [{"attributeName": "pk", "keyType": "HASH"}],
           "deletionProtectionEnabled": protect}
    if kms:
        req["sSESpecification"] = {"enabled": True, "sSEType": "KMS", "kMSMasterKeyId": kms}
    resp = {"tableDescription": {"tableName": table, "tableArn": tarn(table, region),
                                 "tableStatus": "CREATING", "deletionProtectionEnabled": protect}}
    if kms:
        resp["tableDescription"]["sSEDescription"] = {"status": "ENABLED", "sSEType": "KMS",
                                                      "kMSMasterKeyArn": kms}
    return ddb(t, ident, "CreateTable", ip=ip, ua=ua, req=req, resp=resp, region=region)


def enable_pitr(t, ident, table, ip, ua, enabled=True):
    return ddb(t, ident, "UpdateContinuousBackups", ip=ip, ua=ua,
               req={"tableName": table,
                    "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": enabled}},
               resp={"continuousBackupsDescription": {"continuousBackupsStatus": "ENABLED"}})


def ttl(t, ident, table, ip, ua, enabled=True):
    return ddb(t, ident, "UpdateTimeToLive", ip=ip, ua=ua,
               req={"tableName": table,
                    "timeToLiveSpecification": {"enabled": enabled, "attributeName": "expires_at"}},
               resp={"timeToLiveSpecification": {"enabled": enabled, "attributeName": "expires_at"}})


def vpce_create(t, ident, ip):
    return other(t, ident, "ec2.amazonaws.com", "CreateVpcEndpoint", ip=ip,
                 req={"CreateVpcEndpointRequest": {"VpcId": "vpc-0123456789abcdef0",
                      "ServiceName": "com.amazonaws.eu-west-1.dynamodb", "VpcEndpointType": "Gateway",
                      "RouteTableId": {"tag": 1, "content": "rtb-0a1b2c3d4e5f67890"}}},
                 resp={"CreateVpcEndpointResponse": {"vpcEndpoint": {"vpcEndpointId": VPCE,
                       "serviceName": "com.amazonaws.eu-west-1.dynamodb", "vpcEndpointType": "Gateway",
                       "state": "available"}}})


def vpce_delete(t, ident, ip, ua, endpoint=VPCE):
    return other(t, ident, "ec2.amazonaws.com", "DeleteVpcEndpoints", ip=ip, ua=ua,
                 req={"DeleteVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": endpoint}}},
                 resp={"DeleteVpcEndpointsResponse": {"unsuccessful": ""}})


def benign_week():
    """A week of ordinary traffic: app role through the VPC endpoint, a DAX
    cluster reading, CI deploys from trusted runners, other AWS services."""
    evs = []
    start = datetime(2026, 11, 9, 0, 0, 0, tzinfo=timezone.utc)
    evs.append(vpce_create(start + timedelta(minutes=3), INFRA(), "10.20.0.9"))
    for hour in range(7 * 24):
        base = start + timedelta(hours=hour)
        busy = 8 <= base.hour <= 20
        for _ in range(rng.randint(10, 16) if busy else rng.randint(3, 6)):
            t = base + timedelta(seconds=rng.randint(0, 3599))
            table = rng.choice(["orders", "customers", "payments", "inventory"])
            name = rng.choice(["GetItem", "GetItem", "Query", "PutItem", "UpdateItem", "Query"])
            evs.append(ddb(t, APP(), name, table=table, vpce=VPCE,
                           ip=f"10.20.{rng.randint(1, 3)}.{rng.randint(10, 250)}",
                           req={"tableName": table, "key": {"pk": {"S": "***"}}}))
        for _ in range(rng.randint(2, 5)):
            t = base + timedelta(seconds=rng.randint(0, 3599))
            table = rng.choice(["orders", "inventory"])
            evs.append(ddb(t, DAX(), rng.choice(["GetItem", "Query"]), table=table,
                           ip="dax.amazonaws.com", ua="dax.amazonaws.com",
                           req={"tableName": table}))
        # other services, which ddbtrail counts as skipped
        for _ in range(rng.randint(2, 4)):
            t = base + timedelta(seconds=rng.randint(0, 3599))
            src, nm = rng.choice([("s3.amazonaws.com", "GetBucketAcl"), ("sts.amazonaws.com", "AssumeRole"),
                                  ("ec2.amazonaws.com", "DescribeInstances"), ("kms.amazonaws.com", "Decrypt"),
                                  ("lambda.amazonaws.com", "ListFunctions20150331")])
            evs.append(other(t, APP(), src, nm, read_only=True))
        if base.hour == 1:  # nightly consistency check: a few scans, far below the threshold
            for k, table in enumerate(["inventory", "sessions"]):
                evs.append(ddb(base + timedelta(minutes=5 + k), APP(), "Scan", table=table, vpce=VPCE,
                               req={"tableName": table, "limit": 1000}))
    # CI deploys on Tuesday and Thursday afternoon: a new table done right
    for day, table in ((1, "carts"), (3, "wishlists")):
        t = start + timedelta(days=day, hours=14)
        ua = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 prompt/off command/dynamodb.create-table"
        evs.append(ddb(t, CI(), "ListTables", ip=CI_IP, ua=ua, req={}))
        for k, tb in enumerate(["orders", "customers", "payments"]):
            evs.append(ddb(t + timedelta(seconds=5 + k), CI(), "DescribeTable", ip=CI_IP, ua=ua, table=tb))
        evs.append(create_table(t + timedelta(seconds=20), CI(), table, CI_IP, ua))
        evs.append(enable_pitr(t + timedelta(seconds=80), CI(), table, CI_IP, ua))
        evs.append(ttl(t + timedelta(seconds=95), CI(), table, CI_IP, ua))
        evs.append(ddb(t + timedelta(seconds=110), CI(), "TagResource", ip=CI_IP, ua=ua,
                       req={"resourceArn": tarn(table), "tags": [{"key": "team", "value": "shop"}]}))
    return evs


def incident():
    """Thursday 02:10-03:30 UTC: a leaked IAM user key, used from a Tor exit
    with Kali's AWS CLI, first in an unapproved region, then at home."""
    evs = []
    t0 = datetime(2026, 11, 12, 2, 10, 0, tzinfo=timezone.utc)
    L = LEAKED
    def at(minutes, seconds=0):
        return t0 + timedelta(minutes=minutes, seconds=seconds)
    ip, ua = ATTACKER_IP, KALI_UA
    # first attempt in us-east-1, where the company has nothing
    evs.append(ddb(at(0), L(), "ListTables", region="us-east-1", ip=ip, ua=ua, req={}))
    # recon: list and describe, guessing names that do not exist
    evs.append(ddb(at(2), L(), "ListTables", ip=ip, ua=ua, req={}))
    guesses = TABLES + ["users", "accounts", "billing", "prod-users", "tokens", "secrets"]
    for k, tb in enumerate(guesses):
        err = None
        if tb not in TABLES:
            err = ("ResourceNotFoundException", f"Requested resource not found: Table: {tb} not found")
        evs.append(ddb(at(3, 5 * k), L(), "DescribeTable", ip=ip, ua=ua, table=tb, error=err))
    for k in range(12):
        evs.append(ddb(at(5, 4 * k), L(), "DescribeContinuousBackups", ip=ip, ua=ua,
                       table=rng.choice(TABLES[:3]),
                       error=("AccessDeniedException",
                              f"User: arn:aws:iam::{ACCT}:user/svc-reporting is not authorized to perform: dynamodb:DescribeContinuousBackups")))
    # mass scan of every table, paginated
    n = 0
    for tb in TABLES:
        for page in range(11):
            evs.append(ddb(at(10 + n // 4, (n % 4) * 15), L(), "Scan", ip=ip, ua=ua, table=tb,
                           req={"tableName": tb, "limit": 1000, "exclusiveStartKey": {"pk": {"S": "***"}} if page else None}))
            n += 1
    # a staging table made carelessly for the loot, and an export abroad
    evs.append(create_table(at(30), L(), "tmp-staging", ip, ua, protect=False, kms=None))
    evs.append(ddb(at(32), L(), "ExportTableToPointInTime", ip=ip, ua=ua,
                   req={"tableArn": tarn("customers"), "s3Bucket": "exfil-drop-7781",
                        "s3BucketOwner": FOREIGN, "exportFormat": "DYNAMODB_JSON"},
                   resp={"exportDescription": {"exportArn": tarn("customers") + "/export/01731377520000-a1b2c3d4",
                                               "exportStatus": "IN_PROGRESS"}}))
    # a global-table replica into a region where the data may not live
    evs.append(ddb(at(35), L(), "UpdateTable", ip=ip, ua=ua,
                   req={"tableName": "customers",
                        "replicaUpdates": [{"create": {"regionName": "ap-southeast-1"}}]}))
    # open the table to the attacker's own account
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "x", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{FOREIGN}:root"},
        "Action": "dynamodb:*", "Resource": tarn("customers")}]})
    evs.append(ddb(at(38), L(), "PutResourcePolicy", ip=ip, ua=ua,
                   req={"resourceArn": tarn("customers"), "policy": policy},
                   resp={"revisionId": "1731378000000"}))
    # the DAX role's credentials, stolen from the cache host, used to write
    evs.append(ddb(at(40), DAX(), "UpdateItem", ip=ip, ua=ua, table="orders",
                   req={"tableName": "orders", "key": {"pk": {"S": "***"}}}))
    # the root user, whose password was in the same leak
    evs.append(ddb(at(42), root_identity(), "ListTables", ip=ip,
                   ua="Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", req={}))
    # cover tracks and destroy: backups off, protection off, TTL, deletes
    for k, tb in enumerate(["orders", "payments", "customers"]):
        evs.append(enable_pitr(at(45, k), L(), tb, ip, ua, enabled=False))
        evs.append(ddb(at(46, k), L(), "UpdateTable", ip=ip, ua=ua,
                       req={"tableName": tb, "deletionProtectionEnabled": False}))
    evs.append(ttl(at(47), L(), "audit-log", ip, ua))
    evs.append(ddb(at(49), L(), "DeleteBackup", ip=ip, ua=ua,
                   req={"backupArn": tarn("orders") + "/backup/01730000000000-abcdef12"}))
    for k, tb in enumerate(["orders", "payments", "customers"]):
        evs.append(ddb(at(50, 20 * k), L(), "DeleteTable", ip=ip, ua=ua, table=tb,
                       resp={"tableDescription": {"tableName": tb, "tableStatus": "DELETING"}}))
    # blind the defenders
    evs.append(other(at(55), L(), "kms.amazonaws.com", "DisableKey", ip=ip, ua=ua,
                     req={"keyId": CMK}))
    evs.append(other(at(57), L(), "cloudtrail.amazonaws.com", "PutEventSelectors", ip=ip, ua=ua,
                     req={"trailName": "org-trail", "eventSelectors": [
                         {"readWriteType": "All", "includeManagementEvents": True, "dataResources": []}]}))
    evs.append(vpce_delete(at(58), L(), ip, ua))
    # an hour later, logging stopped; the attacker then deletes that hour's log file from the
    # bucket (write_s3_tree), which the digests give away
    evs.append(other(at(115), L(), "cloudtrail.amazonaws.com", "StopLogging", ip=ip, ua=ua,
                     req={"name": f"arn:aws:cloudtrail:eu-west-1:{ACCT}:trail/org-trail"}))
    # one last read through an endpoint in the attacker's own VPC, where the company's
    # network controls and endpoint policies do not apply (appended last so the events
    # above keep their ids)
    evs.append(ddb(at(33), L(), "GetItem", ip="172.31.9.14", ua=ua, table="customers",
                   req={"tableName": "customers", "key": {"pk": {"S": "***"}}},
                   vpce="vpce-0f00dbadc0ffee001", vpce_acct=FOREIGN))
    return evs


def routine_guardrails():
    """The week's ordinary work on the guidance's other practices, each the routine twin of an
    attack step: AWS Backup expiring recovery points on its own schedule, SCPs made stricter
    and attached to more OUs, AWS Config re-saved recording everything, a trust policy for
    services, a password reset, the DAX role kept read-only, an identity pool re-saved and its
    signed-in users on their phones, the trail bucket's year-long lifecycle, an allowed region
    switched on. None of it may raise an alert."""
    start = datetime(2026, 11, 9, 0, 0, 0, tzinfo=timezone.utc)
    A, ip, ua = INFRA, "10.20.0.9", "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64"
    def day(d, h, m=0):
        return start + timedelta(days=d, hours=h, minutes=m)
    def policy(*st):
        return json.dumps({"Version": "2012-10-17", "Statement": list(st)})
    guard = policy({"Effect": "Deny", "Action": ["dynamodb:DeleteTable", "dynamodb:DeleteBackup"],
                    "Resource": "*"},
                   {"Effect": "Deny", "Action": "*", "Resource": "*",
                    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}})
    stricter = policy({"Effect": "Deny", "Action": ["dynamodb:DeleteTable", "dynamodb:DeleteBackup",
                                                     "dynamodb:UpdateContinuousBackups"],
                       "Resource": "*"},
                      {"Effect": "Deny", "Action": "*", "Resource": "*",
                       "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}})
    rp = f"arn:aws:backup:{HOME}:{ACCT}:recovery-point:"
    backup_svc = {"type": "AWSService", "invokedBy": "backup.amazonaws.com"}
    pool = f"{HOME}:6f1c3a52-9d1e-4f7b-8a53-2b9e0c1d4e77"
    evs = [
        other(day(0, 9), A(), "organizations.amazonaws.com", "CreatePolicy", ip=ip, ua=ua,
              req={"content": guard, "name": "ddb-guard", "type": "SERVICE_CONTROL_POLICY",
                   "description": "DynamoDB guardrails"},
              resp={"policy": {"policySummary": {"id": "p-ddbguard01", "name": "ddb-guard",
                                                 "type": "SERVICE_CONTROL_POLICY", "awsManaged": False},
                               "content": guard}}),
        other(day(0, 9, 5), A(), "organizations.amazonaws.com", "AttachPolicy", ip=ip, ua=ua,
              req={"policyId": "p-ddbguard01", "targetId": "ou-a1b2-prod0001"}),
        other(day(2, 10), A(), "organizations.amazonaws.com", "UpdatePolicy", ip=ip, ua=ua,
              req={"policyId": "p-ddbguard01", "content": stricter}),
        other(day(2, 10, 5), A(), "organizations.amazonaws.com", "AttachPolicy", ip=ip, ua=ua,
              req={"policyId": "p-ddbguard01", "targetId": "ou-a1b2-dev00001"}),
        other(day(0, 11), A(), "config.amazonaws.com", "PutConfigurationRecorder", ip=ip, ua=ua,
              req={"configurationRecorder": {"name": "default", "recordingGroup": {
                  "allSupported": True, "includeGlobalResourceTypes": True}}}),
        other(day(0, 11, 1), A(), "config.amazonaws.com", "StartConfigurationRecorder", ip=ip, ua=ua,
              req={"configurationRecorderName": "default"}),
        other(day(0, 11, 2), A(), "config.amazonaws.com", "PutConfigRule", ip=ip, ua=ua,
              req={"configRule": {"configRuleName": "dynamodb-pitr-enabled", "source": {
                  "owner": "AWS", "sourceIdentifier": "DYNAMODB_PITR_ENABLED"}}}),
        other(day(1, 9), A(), "backup.amazonaws.com", "CreateBackupSelection", ip=ip, ua=ua,
              req={"backupPlanId": "plan-ddb-daily", "backupSelection": {
                  "selectionName": "tables", "resources": [tarn("orders"), tarn("payments")]}},
              resp={"selectionId": "sel-0001", "backupPlanId": "plan-ddb-daily"}),
        other(day(1, 9, 1), A(), "backup.amazonaws.com", "PutBackupVaultLockConfiguration", ip=ip,
              ua=ua, req={"backupVaultName": "Default", "minRetentionDays": 35}),
        other(day(3, 16), A(), "iam.amazonaws.com", "PutRolePolicy", ip=ip, ua=ua,
              req={"roleName": "DAXServiceRole", "policyName": "dax-read", "policyDocument": policy(
                  {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem",
                                                 "dynamodb:Query", "dynamodb:Scan",
                                                 "dynamodb:DescribeTable"],
                   "Resource": tarn("*")})}),
        other(day(3, 16, 5), A(), "iam.amazonaws.com", "CreateRole", ip=ip, ua=ua,
              req={"roleName": "orders-lambda", "assumeRolePolicyDocument": policy(
                  {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": "sts:AssumeRole"},
                  {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                   "Action": "sts:AssumeRole"})}),
        other(day(4, 10), A(), "iam.amazonaws.com", "DeleteLoginProfile", ip=ip, ua=ua,
              req={"userName": "bob"}),
        other(day(4, 10, 1), A(), "iam.amazonaws.com", "CreateLoginProfile", ip=ip, ua=ua,
              req={"userName": "bob", "passwordResetRequired": True}),
        other(day(1, 12), A(), "cognito-identity.amazonaws.com", "SetIdentityPoolRoles", ip=ip, ua=ua,
              req={"identityPoolId": pool, "roles": {
                  "authenticated": f"arn:aws:iam::{ACCT}:role/Cognito_shopAuth_Role",
                  "unauthenticated": f"arn:aws:iam::{ACCT}:role/Cognito_shopUnauth_Role"}}),
        other(day(5, 12), A(), "cognito-identity.amazonaws.com", "SetIdentityPoolRoles", ip=ip, ua=ua,
              req={"identityPoolId": pool, "roles": {
                  "authenticated": f"arn:aws:iam::{ACCT}:role/Cognito_shopAuth_Role",
                  "unauthenticated": f"arn:aws:iam::{ACCT}:role/Cognito_shopUnauth_Role"}}),
        other(day(0, 12), A(), "s3.amazonaws.com", "PutBucketLifecycle", ip=ip, ua=ua,
              req={"bucketName": BUCKET, "Host": f"{BUCKET}.s3.{HOME}.amazonaws.com", "lifecycle": "",
                   "LifecycleConfiguration": {"Rule": {"ID": "archive", "Status": "Enabled",
                                                       "Filter": {"Prefix": ""},
                                                       "Transition": {"Days": 30, "StorageClass": "GLACIER"},
                                                       "Expiration": {"Days": 400}}}}),
        other(day(2, 15), A(), "account.amazonaws.com", "EnableRegion", ip=ip, ua=ua,
              req={"regionName": "eu-central-1"}),
    ]
    # AWS Backup expiring yesterday's recovery points on its own schedule
    for d in range(1, 7):
        evs.append(other(day(d, 5), backup_svc, "backup.amazonaws.com", "DeleteRecoveryPoint",
                         ip="backup.amazonaws.com", ua="backup.amazonaws.com",
                         req={"backupVaultName": "Default", "recoveryPointArn": rp + uid()}))
    # the shop app's signed-in users on their phones, through the identity pool
    for k in range(40):
        t = day(k % 7, 8 + k % 12, k)
        who = role_identity("Cognito_shopAuth_Role", "CognitoIdentityCredentials")
        who["sessionContext"]["webIdFederationData"] = {
            "federatedProvider": "cognito-identity.amazonaws.com",
            "attributes": {"cognito-identity.amazonaws.com:amr":
                           "[\"authenticated\",\"cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Shop\"]",
                           "cognito-identity.amazonaws.com:aud": pool,
                           "cognito-identity.amazonaws.com:sub": f"{HOME}:{uid()}"}}
        name = "PutItem" if k % 3 == 0 else "Query"
        evs.append(ddb(t, who, name, ip=f"81.2.69.{10 + k}",
                       ua="aws-sdk-iOS/2.33.0 iOS/17.1 en_US", table="carts",
                       req={"tableName": "carts", "keyConditionExpression": "pk = :me"}
                       if name == "Query" else {"tableName": "carts", "item": {"pk": {"S": "***"}}}))
    return evs


def incident_guardrails():
    """The same intruder, 03:02-03:09, against the guidance's other practices: the decoy
    table, the SCPs, AWS Config, AWS Backup, the trail's bucket, a backdoor role used from
    their own account, a user and key of their own, a lock-out policy, the DAX role's
    policy, a region switched on, the app's Cognito guest identity scanning."""
    t0 = datetime(2026, 11, 12, 3, 2, 0, tzinfo=timezone.utc)
    L = LEAKED
    ip, ua = ATTACKER_IP, KALI_UA
    def at(seconds):
        return t0 + timedelta(seconds=seconds)
    def policy(st):
        return json.dumps({"Version": "2012-10-17", "Statement": [st]})
    backdoor_key, minted = "ASIABACKDOORSESS7781", "AKIAMINTEDBACKUPSVC2"
    evs = [
        ddb(at(0), L(), "GetItem", ip=ip, ua=ua, table="customers-archive",
            req={"tableName": "customers-archive", "key": {"pk": {"S": "***"}}}),
        other(at(20), L(), "organizations.amazonaws.com", "LeaveOrganization", ip=ip, ua=ua, req={}),
        other(at(40), L(), "config.amazonaws.com", "StopConfigurationRecorder", ip=ip, ua=ua,
              req={"configurationRecorderName": "default"}),
        other(at(60), L(), "backup.amazonaws.com", "DeleteBackupVaultLockConfiguration", ip=ip,
              ua=ua, req={"backupVaultName": "Default"}),
        other(at(80), L(), "s3.amazonaws.com", "PutBucketLifecycle", ip=ip, ua=ua,
              req={"bucketName": BUCKET, "Host": f"{BUCKET}.s3.{HOME}.amazonaws.com", "lifecycle": "",
                   "LifecycleConfiguration": {"Rule": {"ID": "tidy", "Status": "Enabled",
                                                       "Filter": {"Prefix": ""},
                                                       "Expiration": {"Days": 1}}}}),
        other(at(100), L(), "iam.amazonaws.com", "CreateRole", ip=ip, ua=ua,
              req={"roleName": "ops-support", "assumeRolePolicyDocument": policy(
                  {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{FOREIGN}:root"},
                   "Action": "sts:AssumeRole"})}),
        other(at(130), {"type": "IAMUser", "principalId": "AIDAEXTERNALXZZZZ",
                        "arn": f"arn:aws:iam::{FOREIGN}:user/x", "accountId": FOREIGN,
                        "accessKeyId": "AKIAEXTERNALX0000001", "userName": "x"},
              "sts.amazonaws.com", "AssumeRole", ip=ip, ua=ua, read_only=True,
              req={"roleArn": f"arn:aws:iam::{ACCT}:role/ops-support", "roleSessionName": "s"},
              resp={"credentials": {"accessKeyId": backdoor_key,
                                    "expiration": "Nov 12, 2026, 4:04:10 AM"},
                    "assumedRoleUser": {"assumedRoleId": "AROAOPSSUPPORTXXXX:s",
                                        "arn": f"arn:aws:sts::{ACCT}:assumed-role/ops-support/s"}}),
        ddb(at(150), role_identity("ops-support", "s", key=backdoor_key), "Query", ip=ip, ua=ua,
            table="payments", req={"tableName": "payments", "keyConditionExpression": "pk = :v"}),
        other(at(170), L(), "iam.amazonaws.com", "CreateUser", ip=ip, ua=ua,
              req={"userName": "backup-svc2"}),
        other(at(180), L(), "iam.amazonaws.com", "CreateAccessKey", ip=ip, ua=ua,
              req={"userName": "backup-svc2"},
              resp={"accessKey": {"userName": "backup-svc2", "accessKeyId": minted,
                                  "status": "Active", "createDate": "Nov 12, 2026, 3:05:00 AM"}}),
        ddb(at(200), user_identity("backup-svc2", minted), "GetItem", ip=ip, ua=ua, table="orders",
            req={"tableName": "orders", "key": {"pk": {"S": "***"}}}),
        ddb(at(230), L(), "PutResourcePolicy", ip=ip, ua=ua,
            req={"resourceArn": tarn("invoices"), "policy": policy(
                {"Sid": "ransom", "Effect": "Deny", "Principal": "*", "Action": "dynamodb:*",
                 "Resource": tarn("invoices"),
                 "Condition": {"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{FOREIGN}:root"}}})},
            resp={"revisionId": "1731380630000"}),
        other(at(260), L(), "iam.amazonaws.com", "AttachRolePolicy", ip=ip, ua=ua,
              req={"roleName": "DAXServiceRole",
                   "policyArn": "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"}),
        other(at(290), L(), "account.amazonaws.com", "EnableRegion", ip=ip, ua=ua,
              req={"regionName": "ap-east-1"}),
    ]
    # the shop app's guest identity, taken from the app, reading what guests may not
    guest = role_identity("Cognito_shopUnauth_Role", "CognitoIdentityCredentials",
                          key="ASIAGUESTSHOPAPP7781")
    guest["sessionContext"]["webIdFederationData"] = {
        "federatedProvider": "cognito-identity.amazonaws.com",
        "attributes": {"cognito-identity.amazonaws.com:amr": "[\"unauthenticated\"]",
                       "cognito-identity.amazonaws.com:aud": f"{HOME}:6f1c3a52-9d1e-4f7b-8a53-2b9e0c1d4e77",
                       "cognito-identity.amazonaws.com:sub": f"{HOME}:0a1b2c3d-0000-4000-8000-000000007781"}}
    evs.append(ddb(at(310), guest, "Scan", ip=ip, ua=ua, table="customers",
                   req={"tableName": "customers", "limit": 1000}))
    # through the backdoor role, a quiet copy of invoices: 24 pages, under every hourly
    # threshold, but nobody ever bulk-read that table before
    for k in range(24):
        evs.append(ddb(at(330 + 15 * k), role_identity("ops-support", "s", key=backdoor_key), "Scan",
                       ip=ip, ua=ua, table="invoices",
                       req={"tableName": "invoices", "limit": 500,
                            "exclusiveStartKey": {"pk": {"S": "***"}} if k else None}))
    return evs


BUCKET = "acme-cloudtrail-logs"
TRAIL = "org-trail"
INTEGRITY = os.path.join(ROOT, "tests", "integrity")
KEY_PEM = os.path.join(INTEGRITY, "test-key.pem")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def sign(text):
    """SHA256withRSA with the test key, as hex (openssl does the RSA)."""
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY_PEM], input=text.encode(),
                         capture_output=True, check=True).stdout
    return out.hex()


def public_key():
    """The test key's public half as `aws cloudtrail list-public-keys` prints keys:
    base64 of the DER RSAPublicKey, and its fingerprint."""
    der = subprocess.run(["openssl", "rsa", "-in", KEY_PEM, "-RSAPublicKey_out", "-outform", "DER"],
                         capture_output=True, check=True).stdout
    return base64.b64encode(der).decode(), hashlib.md5(der).hexdigest()


def gz(path, data):
    with open(path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(data)


def write_s3_tree(root, events):
    """Writes events as CloudTrail delivers them: one gzip file per region per
    ~hour, keys in CloudTrail's own order, and for every region and hour of the
    week a digest file (log file integrity validation) chained to the previous
    one and signed with the test key. Then the attacker deletes the log file
    that holds the incident's StopLogging (04:05); its bytes are kept in
    tests/integrity/ so a test can put it back."""
    shutil.rmtree(root, ignore_errors=True)
    buckets = {}
    for ev in events:
        t = datetime.strptime(ev["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        buckets.setdefault((ev["awsRegion"], t.strftime("%Y%m%dT%H")), []).append(ev)
    listed = {}  # (region, hour) -> [(key, sha256, oldest, newest)]
    for (region, hour), evs in sorted(buckets.items()):
        evs.sort(key=lambda e: e["eventTime"])
        rel = os.path.join("AWSLogs", ACCT, "CloudTrail", region, hour[:4], hour[4:6], hour[6:8])
        d = os.path.join(root, rel)
        os.makedirs(d, exist_ok=True)
        name = f"{ACCT}_CloudTrail_{region}_{hour}05Z_{uid()[:16].replace('-', '')}.json.gz"
        data = json.dumps({"Records": evs}, separators=(",", ":")).encode()
        gz(os.path.join(d, name), data)
        listed.setdefault((region, hour), []).append(
            (rel + "/" + name, sha256(data), evs[0]["eventTime"], evs[-1]["eventTime"]))
    fingerprint = public_key()[1]
    start = datetime(2026, 11, 9, 0, 0, 0)
    for region in sorted({r for r, _ in buckets}):
        prev = None  # (key, sha256 of content, signature)
        for h in range(7 * 24):
            t0 = start + timedelta(hours=h)
            t1 = t0 + timedelta(hours=1)
            rel = os.path.join("AWSLogs", ACCT, "CloudTrail-Digest", region,
                               t1.strftime("%Y"), t1.strftime("%m"), t1.strftime("%d"))
            key = rel + "/" + f"{ACCT}_CloudTrail-Digest_{region}_{TRAIL}_{region}_{t1.strftime('%Y%m%dT%H%M%SZ')}.json.gz"
            files = listed.get((region, t0.strftime("%Y%m%dT%H")), [])
            dig = {"awsAccountId": ACCT, "digestStartTime": iso(t0), "digestEndTime": iso(t1),
                   "digestS3Bucket": BUCKET, "digestS3Object": key,
                   "digestPublicKeyFingerprint": fingerprint,
                   "digestSignatureAlgorithm": "SHA256withRSA",
                   "newestEventTime": files[-1][3] if files else None,
                   "oldestEventTime": files[0][2] if files else None,
                   "previousDigestS3Bucket": BUCKET if prev else None,
                   "previousDigestS3Object": prev[0] if prev else None,
                   "previousDigestHashValue": prev[1] if prev else None,
                   "previousDigestHashAlgorithm": "SHA-256" if prev else None,
                   "previousDigestSignature": prev[2] if prev else None,
                   "logFiles": [{"s3Bucket": BUCKET, "s3Object": k, "hashValue": hv,
                                 "hashAlgorithm": "SHA-256", "newestEventTime": new,
                                 "oldestEventTime": old} for k, hv, old, new in files]}
            data = json.dumps(dig, separators=(",", ":")).encode()
            os.makedirs(os.path.join(root, rel), exist_ok=True)
            gz(os.path.join(root, key), data)
            signing = "%s\n%s/%s\n%s\n%s" % (iso(t1), BUCKET, key, sha256(data),
                                             prev[2] if prev else "null")
            prev = (key, sha256(data), sign(signing))
    # the attacker deletes the log file with their StopLogging in it
    victim = listed[(HOME, "20261112T04")][0][0]
    os.makedirs(INTEGRITY, exist_ok=True)
    shutil.copyfile(os.path.join(root, victim), os.path.join(INTEGRITY, "deleted-log.json.gz"))
    with open(os.path.join(INTEGRITY, "deleted-log.path"), "w") as f:
        f.write(victim + "\n")
    os.remove(os.path.join(root, victim))
    value, fp = public_key()
    with open(os.path.join(INTEGRITY, "public-keys.json"), "w") as f:
        json.dump({"PublicKeyList": [{"Value": value, "ValidityStartTime": 1793491200.0,
                                      "ValidityEndTime": 1825027200.0, "Fingerprint": fp}]},
                  f, indent=4)
        f.write("\n")


SAMPLE_CONFIG = {
    "allowed_regions": ["eu-west-1", "eu-central-1"],
    "trusted_cidrs": ["34.248.110.0/24"],
    "trusted_vpc_endpoints": [VPCE],
    "trusted_accounts": [],
    "trusted_export_buckets": ["acme-analytics-exports"],
    "dax_role_arns": [f"arn:aws:iam::{ACCT}:role/DAXServiceRole"],
    "require_customer_kms": True,
    "decoy_tables": [f"arn:aws:dynamodb:{HOME}:{ACCT}:table/customers-archive"],
}


def write_json(path, events):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"Records": events}, f, indent=1)
        f.write("\n")


def detection_cases():
    """Per rule: (events that must fire, benign twin, what the twin may yield)."""
    T = datetime(2026, 11, 12, 2, 0, 0, tzinfo=timezone.utc)
    m = lambda k: T + timedelta(minutes=k)
    ip, ua = ATTACKER_IP, KALI_UA
    plain_ua = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12"
    cases = {}
    cases["DDB-PUBLIC-SOURCE"] = (
        [ddb(m(0), APP(), "GetItem", ip="52.95.110.1", table="orders")],
        [ddb(m(0), APP(), "GetItem", ip="10.20.1.9", vpce=VPCE, table="orders")], "none")
    cases["DDB-IAM-USER-KEY"] = (
        [ddb(m(0), LEAKED(), "GetItem", ip="10.20.1.9", vpce=VPCE, table="orders", ua=plain_ua)],
        [ddb(m(0), APP(), "GetItem", ip="10.20.1.9", vpce=VPCE, table="orders", ua=plain_ua)], "none")
    cases["DDB-ROOT"] = (
        [ddb(m(0), root_identity(), "ListTables", ip="10.20.1.9", vpce=VPCE, req={})],
        [ddb(m(0), INFRA(), "ListTables", ip="10.20.1.9", vpce=VPCE, req={})], "none")
    cases["DDB-OFF-REGION"] = (
        [ddb(m(0), APP(), "GetItem", region="us-east-1", ip="10.20.1.9", vpce=VPCE, table="orders"),
         ddb(m(1), INFRA(), "UpdateTable", ip="10.20.1.9", vpce=VPCE,
             req={"tableName": "orders", "replicaUpdates": [{"create": {"regionName": "ap-southeast-1"}}]})],
        [ddb(m(0), APP(), "GetItem", region="eu-central-1", ip="10.20.1.9", vpce=VPCE, table="orders"),
         ddb(m(1), INFRA(), "UpdateTable", ip="10.20.1.9", vpce=VPCE,
             req={"tableName": "orders", "replicaUpdates": [{"create": {"regionName": "eu-central-1"}}]})], "none")
    scans = lambda step: [ddb(m(0) + timedelta(seconds=step * k), APP(), "Scan", ip="10.20.1.9", vpce=VPCE,
                              table=TABLES[k % 2]) for k in range(55)]
    cases["DDB-MASS-SCAN"] = (scans(30), scans(600), "none")  # 55 scans in 27 min vs in 9 h
    cases["DDB-DAX-WRITE"] = (
        [ddb(m(0), DAX(), "PutItem", ip="dax.amazonaws.com", table="orders")],
        [ddb(m(0), DAX(), "GetItem", ip="dax.amazonaws.com", table="orders")], "none")
    cases["DDB-TRAIL-TAMPER"] = (
        [other(m(0), INFRA(), "cloudtrail.amazonaws.com", "StopLogging", req={"name": "org-trail"}),
         other(m(1), INFRA(), "cloudtrail.amazonaws.com", "PutEventSelectors",
               req={"trailName": "org-trail", "eventSelectors": [{"readWriteType": "All", "dataResources": []}]})],
        [other(m(0), INFRA(), "cloudtrail.amazonaws.com", "StopLogging", req={"name": "org-trail"},
               error=("AccessDenied", "not authorized")),
         other(m(1), INFRA(), "cloudtrail.amazonaws.com", "PutEventSelectors",
               req={"trailName": "org-trail", "eventSelectors": [{"readWriteType": "All", "dataResources": [
                   {"type": "AWS::DynamoDB::Table", "values": ["arn:aws:dynamodb"]}]}]})], "none")
    cases["DDB-VPCE-TAMPER"] = (
        [vpce_create(m(0), INFRA(), "10.20.0.9"), vpce_delete(m(5), INFRA(), "10.20.0.9", plain_ua)],
        [vpce_create(m(0), INFRA(), "10.20.0.9"),
         other(m(5), INFRA(), "ec2.amazonaws.com", "DeleteVpcEndpoints", ip="10.20.0.9",
               req={"DeleteVpcEndpointsRequest": {"VpcEndpointId": {"tag": 1, "content": VPCE}}},
               error=("Client.UnauthorizedOperation", "not authorized"))], "none")
    cases["DDB-DESTRUCTIVE"] = (
        [ddb(m(k), INFRA(), "DeleteTable", ip="10.20.0.9", table=tb) for k, tb in enumerate(TABLES[:3])],
        [ddb(m(k), INFRA(), "DescribeTable", ip="10.20.0.9", table=tb) for k, tb in enumerate(TABLES[:3])], "none")
    cases["DDB-BACKUP-TAMPER"] = (
        [enable_pitr(m(0), INFRA(), "orders", "10.20.0.9", plain_ua, enabled=False)],
        [enable_pitr(m(0), INFRA(), "orders", "10.20.0.9", plain_ua, enabled=True)], "none")
    export = lambda bucket, owner: [ddb(m(0), INFRA(), "ExportTableToPointInTime", ip="10.20.0.9",
                                        req={"tableArn": tarn("customers"), "s3Bucket": bucket,
                                             "s3BucketOwner": owner, "exportFormat": "ION"})]
    cases["DDB-EXFIL-EXPORT"] = (export("exfil-drop-7781", FOREIGN), export("acme-analytics-exports", ACCT), "low")
    pol = lambda principal: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "dynamodb:GetItem",
         "Resource": tarn("orders")}]})
    cases["DDB-POLICY-EXPOSE"] = (
        [ddb(m(0), INFRA(), "PutResourcePolicy", ip="10.20.0.9",
             req={"resourceArn": tarn("orders"), "policy": pol("*")})],
        [ddb(m(0), INFRA(), "PutResourcePolicy", ip="10.20.0.9",
             req={"resourceArn": tarn("orders"), "policy": pol(f"arn:aws:iam::{ACCT}:role/orders-app-role")})], "none")
    cases["DDB-TTL-ABUSE"] = (
        [ttl(m(0), INFRA(), "audit-log", "10.20.0.9", plain_ua)],
        [create_table(m(0), INFRA(), "audit-log", "10.20.0.9", plain_ua),
         ttl(m(2), INFRA(), "audit-log", "10.20.0.9", plain_ua)], "none")
    cases["DDB-RECON"] = (
        [ddb(m(0) + timedelta(seconds=20 * k), INFRA(), "DescribeTable", ip="10.20.0.9", table=f"t{k:02d}")
         for k in range(12)],
        [ddb(m(0) + timedelta(seconds=20 * k), INFRA(), "DescribeTable", ip="10.20.0.9", table=f"t{k % 4:02d}")
         for k in range(12)], "none")
    cases["DDB-SUSPICIOUS-AGENT"] = (
        [ddb(m(0), APP(), "GetItem", ip="10.20.1.9", vpce=VPCE, table="orders", ua=ua)],
        [ddb(m(0), APP(), "GetItem", ip="10.20.1.9", vpce=VPCE, table="orders", ua=plain_ua)], "none")
    cases["DDB-KMS-TAMPER"] = (
        [create_table(m(0), INFRA(), "orders", "10.20.0.9", plain_ua),
         other(m(5), INFRA(), "kms.amazonaws.com", "DisableKey", req={"keyId": CMK})],
        [create_table(m(0), INFRA(), "orders", "10.20.0.9", plain_ua),
         other(m(5), INFRA(), "kms.amazonaws.com", "DisableKey", req={"keyId": OTHER_KEY})], "low")
    cases["DDB-INSECURE-CREATE"] = (
        [create_table(m(0), INFRA(), "carts", "10.20.0.9", plain_ua, protect=False)],
        [create_table(m(0), INFRA(), "carts", "10.20.0.9", plain_ua),
         enable_pitr(m(1), INFRA(), "carts", "10.20.0.9", plain_ua)], "none")
    return cases


# The highest severity each rule's fires.json must reach.
FIRES_AT = {
    "DDB-PUBLIC-SOURCE": "medium", "DDB-IAM-USER-KEY": "medium", "DDB-ROOT": "high",
    "DDB-OFF-REGION": "high", "DDB-MASS-SCAN": "high", "DDB-DAX-WRITE": "medium",
    "DDB-TRAIL-TAMPER": "critical", "DDB-VPCE-TAMPER": "high", "DDB-DESTRUCTIVE": "critical",
    "DDB-BACKUP-TAMPER": "high", "DDB-EXFIL-EXPORT": "high", "DDB-POLICY-EXPOSE": "critical",
    "DDB-TTL-ABUSE": "medium", "DDB-RECON": "medium", "DDB-SUSPICIOUS-AGENT": "high",
    "DDB-KMS-TAMPER": "high", "DDB-INSECURE-CREATE": "low",
}


def main():
    global rng
    events = benign_week() + incident()
    # the later additions draw from their own stream, so that every byte made before them
    # (sample events, digests, detection pairs) stays as it was
    rng, main_rng = random.Random(25), rng
    events += incident_guardrails()
    rng = random.Random(26)
    events += routine_guardrails()
    rng = main_rng
    events.sort(key=lambda e: e["eventTime"])
    write_s3_tree(os.path.join(ROOT, "sample-logs"), events)
    with open(os.path.join(ROOT, "sample-logs", "ddbtrail.json"), "w") as f:
        json.dump(SAMPLE_CONFIG, f, indent=2)
        f.write("\n")
    det = os.path.join(ROOT, "tests", "detections")
    for rule, (fires, benign, twin) in sorted(detection_cases().items()):
        d = os.path.join(det, rule)
        shutil.rmtree(d, ignore_errors=True)
        write_json(os.path.join(d, "fires.json"), fires)
        write_json(os.path.join(d, "benign.json"), benign)
        with open(os.path.join(d, "expect"), "w") as f:
            f.write(f"fires {FIRES_AT[rule]}\nbenign {twin}\n")
    with open(os.path.join(det, "config.json"), "w") as f:
        json.dump(SAMPLE_CONFIG, f, indent=2)
        f.write("\n")
    print(f"{len(events)} sample events written", file=sys.stderr)


if __name__ == "__main__":
    main()
