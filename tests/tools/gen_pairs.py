#!/usr/bin/env python3
"""Writes the fires/benign pairs of tests/detections/RULE__case/: for each
mechanism of the detection rules, the way an attacker who has read the rule
would get past it (fires.json) beside the routine job that must not trip it
(benign.json). Records follow the shapes AWS documents for CloudTrail
(userIdentity with sessionContext.sessionIssuer for roles, requestParameters
with lower-case keys, vpcEndpointAccountId, invokedBy for services).

Deterministic: run `python3 tests/tools/gen_pairs.py` from the project root;
the same bytes every time."""
import json
import os
import uuid

ACCT = "111122223333"
EVIL = "999988887777"
NS = uuid.UUID("6f1c3a52-9d1e-4f7b-8a53-2b9e0c1d4e77")
_n = [0]


def eid(tag):
    _n[0] += 1
    return str(uuid.uuid5(NS, "%s-%d" % (tag, _n[0])))


def ts(day, h, m, s=0):
    return "2026-11-%02dT%02d:%02d:%02dZ" % (day, h, m, s)


def role(name, session, acct=ACCT, path=""):
    return {"type": "AssumedRole", "principalId": "AROA%s:%s" % (name.upper()[:12], session),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, name, session),
            "accountId": acct, "accessKeyId": "ASIA" + uuid.uuid5(NS, session).hex[:16].upper(),
            "sessionContext": {"sessionIssuer": {
                "type": "Role", "principalId": "AROA%s" % name.upper()[:12],
                "arn": "arn:aws:iam::%s:role/%s%s" % (acct, path, name),
                "accountId": acct, "userName": name},
                "attributes": {"creationDate": "2026-11-12T00:00:00Z", "mfaAuthenticated": "false"}}}


def service_role(service, name, session):
    r = role(name, session, path="aws-service-role/%s/" % service)
    r["invokedBy"] = service
    return r


def user(name, key="AKIAEXAMPLEUSERKEY01"):
    return {"type": "IAMUser", "principalId": "AIDA" + name.upper()[:12],
            "arn": "arn:aws:iam::%s:user/%s" % (ACCT, name), "accountId": ACCT,
            "accessKeyId": key, "userName": name}


def aws_service(svc):
    return {"type": "AWSService", "invokedBy": svc}


def event(who, name, when, params=None, source="dynamodb.amazonaws.com", ip="10.20.1.9",
          data=None, error=None, response=None, vpce=None, vpce_acct=None, read_only=None,
          agent="aws-sdk-java/2.25.10 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.11"):
    if data is None:
        data = name in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
                        "BatchGetItem", "BatchWriteItem", "ExecuteStatement",
                        "BatchExecuteStatement", "ExecuteTransaction", "GetRecords",
                        "GetShardIterator")
    if read_only is None:
        read_only = name.startswith(("Get", "Describe", "List", "Query", "Scan", "Batch Get")) \
            or name in ("ExecuteStatement", "BatchExecuteStatement")
    e = {"eventVersion": "1.09", "userIdentity": who, "eventTime": when, "eventSource": source,
         "eventName": name, "awsRegion": "eu-west-1",
         "sourceIPAddress": who.get("invokedBy", ip) if who["type"] == "AWSService" else ip,
         "userAgent": who.get("invokedBy", agent) if who["type"] == "AWSService" else agent,
         "requestParameters": params or {}, "responseElements": response,
         "requestID": uuid.uuid5(NS, when + name).hex.upper(), "eventID": eid(name),
         "readOnly": read_only, "eventType": "AwsApiCall", "managementEvent": not data,
         "recipientAccountId": ACCT, "eventCategory": "Data" if data else "Management"}
    if error:
        e["errorCode"], e["errorMessage"] = error, "User is not authorized to perform this action"
    if vpce:
        e["vpcEndpointId"] = vpce
        e["vpcEndpointAccountId"] = vpce_acct or ACCT
    return e


def table_arn(t, acct=ACCT):
    return "arn:aws:dynamodb:eu-west-1:%s:table/%s" % (acct, t)


TABLES = ["orders", "customers", "payments", "invoices", "sessions", "audit-log"]
out = {}


def pair(case, fires, benign, expect, config=None):
    out[case] = (fires, benign, expect, config)


# --- DDB-MASS-SCAN -----------------------------------------------------------
# a role rotating session names: 60 scans, one per session; per-session counting sees 1 each
pair("DDB-MASS-SCAN__session-rotation",
     [event(role("etl-loader", "s%02d" % i), "Scan", ts(12, 2, i // 2, i % 2 * 30),
            {"tableName": TABLES[i % 6]}) for i in range(60)],
     [event(role("etl-loader", "s%02d" % i), "Query", ts(12, 2, i // 2, i % 2 * 30),
            {"tableName": TABLES[i % 6], "keyConditionExpression": "pk = :v"}) for i in range(60)],
     "fires high\nbenign none\nfires_alerts 1\nfires_principal arn:aws:iam::%s:role/etl-loader\n"
     "fires_detail sessions: s\n" % ACCT)
# PartiQL: SELECTs that do not pin the key are scans; the key is learnt from CreateTable
create = [event(user("admin"), "CreateTable", ts(11, 9, i),
                {"tableName": t, "keySchema": [{"attributeName": "pk", "keyType": "HASH"},
                                               {"attributeName": "sk", "keyType": "RANGE"}],
                 "billingMode": "PAY_PER_REQUEST", "deletionProtectionEnabled": True})
          for i, t in enumerate(TABLES)]
evasive = ["SELECT * FROM \"%s\" WHERE attribute_exists(pk)", "SELECT * FROM \"%s\" WHERE pk = 'a' OR 1 = 1",
           "SELECT * FROM \"%s\" WHERE begins_with(pk, '')", "SELECT * FROM \"%s\" WHERE sk = 'x'",
           "SELECT * FROM \"%s\" WHERE pk <> 'none'"]
pair("DDB-MASS-SCAN__partiql",
     create + [event(role("reporting", "r1"), "ExecuteStatement", ts(12, 3, i // 3, i % 3 * 20),
                     {"statement": evasive[i % 5] % TABLES[i % 6]}) for i in range(55)],
     create + [event(role("reporting", "r1"), "ExecuteStatement", ts(12, 3, i // 3, i % 3 * 20),
                     {"statement": "SELECT * FROM \"%s\" WHERE pk = ? AND sk > ?" % TABLES[i % 6]})
               for i in range(55)],
     "fires high\nbenign none\nfires_alerts 1\n")
# BatchExecuteStatement / ExecuteTransaction hide scans in a list of statements
pair("DDB-MASS-SCAN__partiql-batch",
     [event(role("reporting", "r2"), "BatchExecuteStatement", ts(12, 4, i),
            {"statements": [{"statement": "SELECT * FROM \"%s\" WHERE pk = ?" % TABLES[i % 6]},
                            {"statement": "SELECT * FROM \"%s\"" % TABLES[(i + 1) % 6]}]})
      for i in range(55)],
     [event(role("reporting", "r2"), "BatchExecuteStatement", ts(12, 4, i),
            {"statements": [{"statement": "SELECT * FROM \"%s\" WHERE pk = ?" % TABLES[i % 6]},
                            {"statement": "SELECT * FROM \"%s\" WHERE pk = 'k'" % TABLES[(i + 1) % 6]}]})
      for i in range(55)],
     "fires high\nbenign none\n")
# draining a stream from its start copies the table's history
stream = table_arn("customers") + "/stream/2026-11-01T00:00:00.000"
pair("DDB-MASS-SCAN__stream-drain",
     [event(role("intruder", "x"), "GetShardIterator", ts(12, 5, 0),
            {"streamArn": stream, "shardId": "shardId-000001", "shardIteratorType": "TRIM_HORIZON"})] +
     [event(role("intruder", "x"), "GetRecords", ts(12, 5, 1 + i // 2, i % 2 * 30),
            {"shardIterator": stream + "|1|AAAAAAAA%04d" % i, "limit": 1000}) for i in range(60)],
     [event(role("cache-updater", "y"), "GetShardIterator", ts(12, 5, 0),
            {"streamArn": stream, "shardId": "shardId-000001", "shardIteratorType": "LATEST"})] +
     [event(role("cache-updater", "y"), "GetRecords", ts(12, 5, 1 + i // 2, i % 2 * 30),
            {"shardIterator": stream + "|1|AAAAAAAA%04d" % i, "limit": 1000}) for i in range(60)],
     "fires high\nbenign none\nfires_detail 61 bulk reads\n")
# a week of nightly exports by one role: seven bursts, seven alerts, never one week-long window
pair("DDB-MASS-SCAN__nightly",
     [event(role("nightly-etl", "run-%d" % d), "Scan", ts(d, 1, i // 2, i % 2 * 30),
            {"tableName": TABLES[i % 6]}) for d in range(9, 16) for i in range(60)],
     [event(role("nightly-etl", "run-%d" % d), "Scan", ts(d, 1, i), {"tableName": "orders"})
      for d in range(9, 16) for i in range(10)],
     "fires high\nbenign none\nfires_alerts 7\n")
# AWS reading tables for itself (DAX, Backup) is not an attacker; the same reads by a role are
pair("DDB-MASS-SCAN__aws-service",
     [event(role("data-copier", "c"), "Scan", ts(12, 6, i // 2, i % 2 * 30),
            {"tableName": TABLES[i % 6]}) for i in range(60)],
     [event(service_role("dax.amazonaws.com", "AWSServiceRoleForDAX", "dax-%d" % (i % 3)), "Scan",
            ts(12, 6, i // 2, i % 2 * 30), {"tableName": TABLES[i % 6]}) for i in range(30)] +
     [event(aws_service("backup.amazonaws.com"), "Scan", ts(12, 7, i // 2, i % 2 * 30),
            {"tableName": TABLES[i % 6]}) for i in range(30)],
     "fires high\nbenign none\n")

# --- DDB-RECON ----------------------------------------------------------------
pair("DDB-RECON__session-rotation",
     [event(role("stolen-role", "sess-%d" % i), "DescribeTable", ts(12, 2, i * 3),
            {"tableName": "t%02d" % i}) for i in range(12)],
     [event(role("app-%d" % i, "sess"), "DescribeTable", ts(12, 2, i * 3),
            {"tableName": "t%02d" % i}) for i in range(12)],
     "fires medium\nbenign none\nfires_principal arn:aws:iam::%s:role/stolen-role\n" % ACCT)
pair("DDB-RECON__aws-service",
     [event(role("inventory", "i"), "DescribeTable", ts(12, 2, i * 3), {"tableName": "t%02d" % i})
      for i in range(12)],
     [event(service_role("config.amazonaws.com", "AWSServiceRoleForConfig", "cfg"), "DescribeTable",
            ts(12, 2, i * 3), {"tableName": "t%02d" % i}) for i in range(12)],
     "fires medium\nbenign none\n")

# Application Auto Scaling describes and resizes every table it manages, all day long
pair("DDB-RECON__autoscaling",
     [event(role("ops-script", "o"), "DescribeTable", ts(12, 2, i * 3), {"tableName": "t%02d" % i})
      for i in range(12)],
     [event(service_role("application-autoscaling.amazonaws.com",
                         "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "autoscaling"),
            "DescribeTable", ts(12, 2, i * 3), {"tableName": "t%02d" % i}) for i in range(12)] +
     [event(service_role("application-autoscaling.amazonaws.com",
                         "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "autoscaling"),
            "UpdateTable", ts(12, 2, i * 3 + 1),
            {"tableName": "t%02d" % i, "provisionedThroughput": {"readCapacityUnits": 20,
                                                                 "writeCapacityUnits": 5}},
            read_only=False) for i in range(12)],
     "fires medium\nbenign none\n")

# --- DDB-DESTRUCTIVE ------------------------------------------------------------
backup = table_arn("payments") + "/backup/01731234567890-abcdef12"
pair("DDB-DESTRUCTIVE__backup-lifecycle",
     [event(user("svc-reporting"), "DeleteBackup", ts(12, 3, 10), {"backupArn": backup})],
     [event(aws_service("backup.amazonaws.com"), "DeleteBackup", ts(12, 3, 10), {"backupArn": backup}),
      event(service_role("backup.amazonaws.com", "AWSServiceRoleForBackup", "AWSBackup-lifecycle"),
            "DeleteBackup", ts(12, 3, 20), {"backupArn": backup})],
     "fires high\nbenign none\nfires_detail deleted: payments\n")

# --- DDB-PUBLIC-SOURCE / DDB-INSECURE-CREATE: AWS itself ---------------------------
pair("DDB-PUBLIC-SOURCE__aws-service",
     [event(role("replicator", "r"), "PutItem", ts(12, 4, 0), {"tableName": "orders"},
            ip="52.95.110.1", read_only=False)],
     [event(service_role("replication.dynamodb.amazonaws.com",
                         "AWSServiceRoleForDynamoDBReplication", "repl"), "PutItem", ts(12, 4, 0),
            {"tableName": "orders"}, ip="52.95.110.1", read_only=False)],
     "fires high\nbenign none\n")
pair("DDB-INSECURE-CREATE__aws-service",
     [event(user("admin"), "CreateTable", ts(12, 4, 0), {"tableName": "restored-orders"})],
     [event(aws_service("backup.amazonaws.com"), "CreateTable", ts(12, 4, 0),
            {"tableName": "restored-orders"})],
     "fires low\nbenign none\n")

# --- DDB-EXFIL-EXPORT -------------------------------------------------------------
kcfg = {"trusted_kinesis_streams": ["arn:aws:kinesis:eu-west-1:%s:stream/cdc" % ACCT],
        "trusted_accounts": ["444455556666"]}
pair("DDB-EXFIL-EXPORT__kinesis",
     [event(user("svc-reporting"), "EnableKinesisStreamingDestination", ts(12, 2, 0),
            {"tableName": "customers", "streamArn": "arn:aws:kinesis:eu-west-1:%s:stream/drop" % EVIL})],
     [event(role("platform-admin", "p"), "EnableKinesisStreamingDestination", ts(12, 2, 0),
            {"tableName": "customers", "streamArn": "arn:aws:kinesis:eu-west-1:%s:stream/cdc" % ACCT})],
     "fires high\nbenign low\nfires_detail streamed to arn:aws:kinesis:eu-west-1:%s:stream/drop\n" % EVIL,
     kcfg)
pair("DDB-EXFIL-EXPORT__backup-copy",
     [event(user("svc-reporting"), "StartCopyJob", ts(12, 2, 0),
            {"recoveryPointArn": backup, "sourceBackupVaultName": "Default",
             "destinationBackupVaultArn": "arn:aws:backup:eu-west-1:%s:backup-vault:drop" % EVIL,
             "iamRoleArn": "arn:aws:iam::%s:role/service-role/AWSBackupDefaultServiceRole" % ACCT},
            source="backup.amazonaws.com", data=False, read_only=False)],
     [event(role("dr-admin", "d"), "StartCopyJob", ts(12, 2, 0),
            {"recoveryPointArn": backup, "sourceBackupVaultName": "Default",
             "destinationBackupVaultArn": "arn:aws:backup:eu-central-1:444455556666:backup-vault:dr",
             "iamRoleArn": "arn:aws:iam::%s:role/service-role/AWSBackupDefaultServiceRole" % ACCT},
            source="backup.amazonaws.com", data=False, read_only=False)],
     "fires high\nbenign none\nfires_detail DynamoDB recovery point\n", kcfg)
pair("DDB-EXFIL-EXPORT__failed",
     [event(user("svc-reporting"), "ExportTableToPointInTime", ts(12, 2, 0),
            {"tableArn": table_arn("customers"), "s3Bucket": "exfil-drop", "s3BucketOwner": EVIL},
            error="AccessDeniedException", read_only=False)],
     [event(role("analytics", "a"), "ExportTableToPointInTime", ts(12, 2, 0),
            {"tableArn": table_arn("customers"), "s3Bucket": "acme-analytics-exports"},
            error="AccessDeniedException", read_only=False)],
     "fires medium\nbenign low\nfires_detail attempt (failed: AccessDeniedException)\n")

# --- DDB-FOREIGN-VPCE -----------------------------------------------------------------
pair("DDB-FOREIGN-VPCE",
     [event(role("orders-app-role", "i-1"), "Scan", ts(12, 2, 0), {"tableName": "orders"},
            vpce="vpce-0evil0000000000001", vpce_acct=EVIL)],
     [event(role("orders-app-role", "i-1"), "Scan", ts(12, 2, 0), {"tableName": "orders"},
            vpce="vpce-0a1b2c3d4e5f60789", vpce_acct=ACCT)],
     "fires high\nbenign none\nfires_detail owned by %s\n" % EVIL)
pair("DDB-FOREIGN-VPCE__not-trusted",
     [event(role("orders-app-role", "i-1"), "GetItem", ts(12, 2, 0), {"tableName": "orders"},
            vpce="vpce-0unknown00000000002", vpce_acct=ACCT)],
     [event(role("orders-app-role", "i-1"), "GetItem", ts(12, 2, 0), {"tableName": "orders"},
            vpce="vpce-0a1b2c3d4e5f60789", vpce_acct=ACCT)],
     "fires high\nbenign none\nfires_detail not in trusted_vpc_endpoints\n")

# --- DDB-TRAIL-TAMPER: selectors read, not grepped -------------------------------------------
def adv(*selectors):
    return {"trailName": "org-trail", "advancedEventSelectors": [
        {"name": n, "fieldSelectors": [{"field": f, op: v} for f, op, v in fs]} for n, fs in selectors]}


# the store knows the trail logged DynamoDB before: one data event of the day before (the record
# as a trail with tlsDetails, resources and the endpoint writes it)
def logged_before(n):
    e = json.loads('{"eventVersion": "1.09", "userIdentity": {"type": "AssumedRole", "principalId": "AROAORDERSAPPROL:i-0c4f5e6a7b8c9d0e1", "arn": "arn:aws:sts::111122223333:assumed-role/orders-app-role/i-0c4f5e6a7b8c9d0e1", "accountId": "111122223333", "accessKeyId": "ASIADGRYIKR67R5R4IRI", "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAORDERSAPPROL", "arn": "arn:aws:iam::111122223333:role/orders-app-role", "accountId": "111122223333", "userName": "orders-app-role"}, "webIdFederationData": {}, "attributes": {"creationDate": "2026-11-09T00:00:00Z", "mfaAuthenticated": "false"}}}, "eventTime": "2026-11-11T09:00:00Z", "eventSource": "dynamodb.amazonaws.com", "eventName": "GetItem", "awsRegion": "eu-west-1", "sourceIPAddress": "10.20.1.9", "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12", "requestParameters": {"tableName": "orders"}, "responseElements": null, "requestID": "CSY17Y5VUZ2I5386TUSGCD0V66IN15PUYOSTD1PUTM9FM0LANOH0", "eventID": "e1000000-0000-4000-8000-000000000003", "readOnly": true, "eventType": "AwsApiCall", "apiVersion": "2012-08-10", "managementEvent": false, "recipientAccountId": "111122223333", "eventCategory": "Data", "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "dynamodb.eu-west-1.amazonaws.com"}, "resources": [{"accountId": "111122223333", "type": "AWS::DynamoDB::Table", "ARN": "arn:aws:dynamodb:eu-west-1:111122223333:table/orders"}], "vpcEndpointId": "vpce-0a1b2c3d4e5f60789", "vpcEndpointAccountId": "111122223333"}')
    e["eventID"] = "e1000000-0000-4000-8000-%012d" % n
    return e


mgmt = ("Management events", [("eventCategory", "equals", ["Management"])])
ddb_all = ("DynamoDB", [("eventCategory", "equals", ["Data"]),
                        ("resources.type", "equals", ["AWS::DynamoDB::Table"])])
pair("DDB-TRAIL-TAMPER__advanced-writes-only",
     [logged_before(2), event(user("svc-reporting"), "PutEventSelectors", ts(12, 3, 0),
            adv(mgmt, ("DynamoDB writes", ddb_all[1] + [("readOnly", "equals", ["false"])])),
            source="cloudtrail.amazonaws.com", data=False, read_only=False)],
     [event(role("platform-admin", "p"), "PutEventSelectors", ts(12, 3, 0),
            adv(mgmt, ddb_all), source="cloudtrail.amazonaws.com", data=False, read_only=False)],
     "fires high\nbenign none\nfires_detail reads are no longer logged\n")
pair("DDB-TRAIL-TAMPER__advanced-decoy-table",
     [logged_before(1), event(user("svc-reporting"), "PutEventSelectors", ts(12, 3, 0),
            adv(mgmt, ("DynamoDB", ddb_all[1] + [("resources.ARN", "equals", [table_arn("decoy")])])),
            source="cloudtrail.amazonaws.com", data=False, read_only=False)],
     [event(role("platform-admin", "p"), "PutEventSelectors", ts(12, 3, 0),
            adv(mgmt, ("DynamoDB", ddb_all[1] + [("resources.ARN", "startsWith", ["arn:aws:dynamodb"])])),
            source="cloudtrail.amazonaws.com", data=False, read_only=False)],
     "fires high\nbenign none\nfires_detail only some tables\n")
pair("DDB-TRAIL-TAMPER__basic-no-management",
     [logged_before(3), event(user("svc-reporting"), "PutEventSelectors", ts(12, 3, 0),
            {"trailName": "org-trail", "eventSelectors": [
                {"readWriteType": "All", "includeManagementEvents": False,
                 "dataResources": [{"type": "AWS::DynamoDB::Table", "values": ["arn:aws:dynamodb"]}]}]},
            source="cloudtrail.amazonaws.com", data=False, read_only=False)],
     [event(role("platform-admin", "p"), "PutEventSelectors", ts(12, 3, 0),
            {"trailName": "org-trail", "eventSelectors": [
                {"readWriteType": "All", "includeManagementEvents": True,
                 "dataResources": [{"type": "AWS::DynamoDB::Table", "values": ["arn:aws:dynamodb"]},
                                   {"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]},
            source="cloudtrail.amazonaws.com", data=False, read_only=False)],
     "fires high\nbenign none\nfires_detail management events are excluded\n")

# --- DDB-POLICY-EXPOSE: conditions ------------------------------------------------------------
def policy(cond):
    st = {"Sid": "share", "Effect": "Allow", "Principal": "*", "Action": "dynamodb:GetItem",
          "Resource": table_arn("orders")}
    if cond:
        st["Condition"] = cond
    return {"resourceArn": table_arn("orders"),
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [st]})}


pair("DDB-POLICY-EXPOSE__org-condition",
     [event(user("svc-reporting"), "PutResourcePolicy", ts(12, 3, 0),
            policy({"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}), read_only=False)],
     [event(role("platform-admin", "p"), "PutResourcePolicy", ts(12, 3, 0),
            policy({"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}), read_only=False)],
     "fires critical\nbenign low\n")
pair("DDB-POLICY-EXPOSE__account-condition",
     [event(user("svc-reporting"), "PutResourcePolicy", ts(12, 3, 0),
            policy({"StringEquals": {"aws:PrincipalAccount": [ACCT, EVIL]}}), read_only=False)],
     [event(role("platform-admin", "p"), "PutResourcePolicy", ts(12, 3, 0),
            policy({"StringEquals": {"aws:PrincipalAccount": ACCT}}), read_only=False)],
     "fires critical\nbenign low\n")


# --- DDB-BLIND-SPOT ------------------------------------------------------------
# data events logged in one region only: tables managed in us-east-1 are read there unseen,
# while the busy, fully logged eu-west-1 must not hide it; benign: both regions logged


def in_region(e, region):
    e["awsRegion"] = region
    return e


def regional(region, data):
    evs = [in_region(event(role("platform-admin", "p"), n, ts(12, 5, i), {"tableName": t}), region)
           for i, (n, t) in enumerate([("CreateTable", "ledger"), ("DescribeTable", "ledger"),
                                       ("UpdateTable", "ledger")])]
    if data:
        evs += [in_region(event(role("app", "a"), "GetItem", ts(12, 6, i),
                                {"tableName": "ledger", "key": {"pk": {"S": "k%d" % i}}}), region)
                for i in range(3)]
    return evs


pair("DDB-BLIND-SPOT__region",
     regional("eu-west-1", True) + regional("us-east-1", False),
     regional("eu-west-1", True) + regional("us-east-1", True),
     "fires medium\nbenign none\nfires_alerts 1\nfires_detail region us-east-1 of account\n")

# --- DDB-SUSPICIOUS-AGENT ------------------------------------------------------
# the rule matches each distinct agent once: a few Pacu calls by a stolen user key hide among
# forty distinct SDK agents of an application role; benign: the same fleet, AWS Backup's own
# calls, and a reporting app whose agent only contains "pacu" inside a longer word
fleet = [event(role("app", "a%d" % (i % 4)), "GetItem", ts(12, 7, i % 60),
               {"tableName": TABLES[i % 6], "key": {"pk": {"S": "k%d" % i}}},
               agent="aws-sdk-java/2.25.%d Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.%d" % (i, i % 7))
         for i in range(40)]
pair("DDB-SUSPICIOUS-AGENT__many-agents",
     fleet + [event(user("svc-legacy", "AKIAEXAMPLELEAKED001"), n, ts(12, 8, i), {"tableName": "orders"},
                    ip="203.0.113.50", agent="Boto3/1.34.5 Python/3.11 Linux/6.1 Botocore/1.34.5 Pacu/1.5.2")
              for i, n in enumerate(["ListTables", "DescribeTable", "Scan"])],
     fleet + [event(aws_service("backup.amazonaws.com"), "DescribeTable", ts(12, 8, 0),
                    {"tableName": "orders"}),
              event(role("reporting", "r"), "Query", ts(12, 8, 1),
                    {"tableName": "orders", "keyConditionExpression": "pk = :v"},
                    agent="aws-sdk-go/1.44.0 (go1.21; linux; amd64) app/pacualdo-reports")],
     "fires high\nbenign none\nfires_alerts 1\n"
     "fires_principal arn:aws:iam::%s:user/svc-legacy\n" % ACCT)

# ===== the guidance's other practices (issue 25): each rule's way round and its routine job =====
_here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_here, "..", "detections", "config.json")) as f:
    BASE_CFG = json.load(f)


def cfg(**kw):
    c = dict(BASE_CFG)
    c.update(kw)
    return c


def regional_event(e, region):
    e["awsRegion"] = region
    return e


# --- DDB-DECOY-ACCESS ------------------------------------------------------------
# pinned by ARN: the decoy in eu-west-1; a same-named table in eu-central-1 is someone's real one
DECOY = "customers-archive"
dcfg = cfg(decoy_tables=[table_arn(DECOY)])
pair("DDB-DECOY-ACCESS",
     [event(role("support-tool", "s1"), "GetItem", ts(12, 3, 0),
            {"tableName": DECOY, "key": {"pk": {"S": "c-1"}}})],
     [regional_event(event(role("archive-app", "a1"), "GetItem", ts(12, 3, 0),
                           {"tableName": DECOY, "key": {"pk": {"S": "c-1"}}}), "eu-central-1"),
      event(aws_service("backup.amazonaws.com"), "DescribeTable", ts(12, 3, 5), {"tableName": DECOY}),
      event(role("support-tool", "s1"), "GetItem", ts(12, 3, 6),
            {"tableName": "customers", "key": {"pk": {"S": "c-1"}}})],
     "fires critical\nbenign none\nfires_alerts 1\nfires_detail decoy table %s touched\n"
     % table_arn(DECOY), dcfg)
# the way round a table-name match: the decoy as the second table of a batch, inside a PartiQL
# batch, or only as the ARN an export names
pair("DDB-DECOY-ACCESS__hidden",
     [event(role("intruder", "x"), "BatchGetItem", ts(12, 4, 0),
            {"requestItems": {"orders": {"keys": [{"pk": {"S": "o-1"}}]},
                              DECOY: {"keys": [{"pk": {"S": "c-1"}}]}}}),
      event(role("intruder", "x"), "BatchExecuteStatement", ts(12, 4, 1),
            {"statements": [{"statement": "SELECT * FROM \"orders\" WHERE pk = ?"},
                            {"statement": "SELECT * FROM \"%s\" WHERE pk = ?" % DECOY}]}),
      event(role("intruder", "x"), "ExportTableToPointInTime", ts(12, 4, 2),
            {"tableArn": table_arn(DECOY), "s3Bucket": "acme-analytics-exports"}, read_only=False)],
     [event(role("intruder", "x"), "BatchGetItem", ts(12, 4, 0),
            {"requestItems": {"orders": {"keys": [{"pk": {"S": "o-1"}}]},
                              "customers": {"keys": [{"pk": {"S": "c-1"}}]}}}),
      event(role("intruder", "x"), "BatchExecuteStatement", ts(12, 4, 1),
            {"statements": [{"statement": "SELECT * FROM \"orders\" WHERE pk = ?"},
                            {"statement": "SELECT * FROM \"customers\" WHERE pk = ?"}]}),
      event(role("intruder", "x"), "ExportTableToPointInTime", ts(12, 4, 2),
            {"tableArn": table_arn("customers"), "s3Bucket": "acme-analytics-exports"},
            read_only=False)],
     "fires critical\nbenign none\nfires_alerts 1\nfires_detail 3 call(s)\n", dcfg)

# --- DDB-CONFIG-TAMPER ------------------------------------------------------------


def config(who, name, when, params):
    return event(who, name, when, params, source="config.amazonaws.com", data=False,
                 read_only=False, agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64")


def recorder(group):
    return {"configurationRecorder": {
        "name": "default", "roleARN": "arn:aws:iam::%s:role/aws-service-role/config.amazonaws.com/"
        "AWSServiceRoleForConfig" % ACCT, "recordingGroup": group}}


everything = {"allSupported": True, "includeGlobalResourceTypes": True, "resourceTypes": []}
pair("DDB-CONFIG-TAMPER",
     [config(user("svc-reporting"), "StopConfigurationRecorder", ts(12, 1, 0),
             {"configurationRecorderName": "default"})],
     [config(role("platform-admin", "p"), "PutConfigurationRecorder", ts(12, 1, 0),
             recorder(everything)),
      config(role("platform-admin", "p"), "StartConfigurationRecorder", ts(12, 1, 1),
             {"configurationRecorderName": "default"}),
      config(role("platform-admin", "p"), "PutConfigRule", ts(12, 1, 2),
             {"configRule": {"configRuleName": "dynamodb-pitr-enabled",
                             "source": {"owner": "AWS", "sourceIdentifier": "DYNAMODB_PITR_ENABLED"}}})],
     "fires high\nbenign none\nfires_detail recorder default no longer records\n")
# the way round stopping it: keep it running, but no longer recording DynamoDB
pair("DDB-CONFIG-TAMPER__exclusion",
     [config(user("svc-reporting"), "PutConfigurationRecorder", ts(12, 1, 0), recorder(
         {"allSupported": False, "includeGlobalResourceTypes": False,
          "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::NetworkInterface",
                                                         "AWS::DynamoDB::Table"]},
          "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}})),
      config(user("svc-reporting"), "PutConfigurationRecorder", ts(12, 1, 5), recorder(
          {"allSupported": False, "includeGlobalResourceTypes": False,
           "resourceTypes": ["AWS::S3::Bucket", "AWS::EC2::Instance"],
           "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"}}))],
     [config(role("platform-admin", "p"), "PutConfigurationRecorder", ts(12, 1, 0), recorder(
         {"allSupported": False, "includeGlobalResourceTypes": False,
          "exclusionByResourceTypes": {"resourceTypes": ["AWS::EC2::NetworkInterface"]},
          "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"}})),
      config(role("platform-admin", "p"), "PutConfigurationRecorder", ts(12, 1, 5), recorder(
          {"allSupported": False, "includeGlobalResourceTypes": False,
           "resourceTypes": ["AWS::S3::Bucket", "AWS::DynamoDB::Table"],
           "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"}}))],
     "fires high\nbenign none\nfires_alerts 2\nfires_detail no longer records DynamoDB tables\n")
# a rule whose name hides what it checks: the store saw it put with a DynamoDB source; routine:
# an S3 rule retired
pair("DDB-CONFIG-TAMPER__rule-deleted",
     [config(role("platform-admin", "p"), "PutConfigRule", ts(11, 9, 0),
             {"configRule": {"configRuleName": "backup-posture-01",
                             "source": {"owner": "AWS", "sourceIdentifier": "DYNAMODB_PITR_ENABLED"},
                             "scope": {"complianceResourceTypes": ["AWS::DynamoDB::Table"]}}}),
      config(user("svc-reporting"), "DeleteConfigRule", ts(12, 1, 0),
             {"configRuleName": "backup-posture-01"})],
     [config(role("platform-admin", "p"), "PutConfigRule", ts(11, 9, 0),
             {"configRule": {"configRuleName": "bucket-posture-01",
                             "source": {"owner": "AWS",
                                        "sourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}}),
      config(role("platform-admin", "p"), "DeleteConfigRule", ts(12, 1, 0),
             {"configRuleName": "bucket-posture-01"})],
     "fires medium\nbenign none\nfires_detail which checks DynamoDB, deleted\n")

# --- DDB-SCP-TAMPER ----------------------------------------------------------------


def org(who, name, when, params, response=None):
    return regional_event(event(who, name, when, params, source="organizations.amazonaws.com",
                                data=False, read_only=False, response=response), "us-east-1")


def scp(denied, allowed_regions):
    st = [{"Sid": "ProtectTables", "Effect": "Deny", "Action": denied, "Resource": "*"}]
    if allowed_regions:
        st.append({"Sid": "DataResidency", "Effect": "Deny", "Action": "*", "Resource": "*",
                   "Condition": {"StringNotEquals": {"aws:RequestedRegion": allowed_regions}}})
    return json.dumps({"Version": "2012-10-17", "Statement": st})


def create_scp(pid, content, when):
    return org(role("org-admin", "o"), "CreatePolicy", when,
               {"content": content, "description": "guardrails", "name": "ddb-guard",
                "type": "SERVICE_CONTROL_POLICY"},
               {"policy": {"policySummary": {
                   "id": pid, "arn": "arn:aws:organizations::%s:policy/o-a1b2c3d4e5/service_control_policy/%s"
                   % (ACCT, pid), "name": "ddb-guard", "type": "SERVICE_CONTROL_POLICY",
                   "awsManaged": False}, "content": content}})


guard = scp(["dynamodb:DeleteTable", "dynamodb:DeleteBackup"], ["eu-west-1", "eu-central-1"])
pair("DDB-SCP-TAMPER",
     [create_scp("p-ddbguard01", guard, ts(10, 9, 0)),
      org(user("svc-reporting"), "DetachPolicy", ts(12, 2, 0),
          {"policyId": "p-ddbguard01", "targetId": "ou-a1b2-prod0001"})],
     [create_scp("p-ddbguard01", guard, ts(10, 9, 0)),
      org(role("org-admin", "o"), "AttachPolicy", ts(12, 2, 0),
          {"policyId": "p-ddbguard01", "targetId": "ou-a1b2-dev00001"}),
      org(role("org-admin", "o"), "DetachPolicy", ts(12, 2, 5),
          {"policyId": "p-FullAWSAccess", "targetId": "ou-a1b2-prod0001"})],
     "fires high\nbenign none\nfires_detail no longer guards: \nfires_detail dynamodb:deletetable\n")
# the way round a detach: edit the policy to deny less (an action and a region dropped); the
# routine edit makes it stricter
pair("DDB-SCP-TAMPER__edited",
     [create_scp("p-ddbguard01", guard, ts(10, 9, 0)),
      org(user("svc-reporting"), "UpdatePolicy", ts(12, 2, 0),
          {"policyId": "p-ddbguard01",
           "content": scp(["dynamodb:DeleteTable"], ["eu-west-1", "eu-central-1", "us-east-1"])})],
     [create_scp("p-ddbguard01", guard, ts(10, 9, 0)),
      org(role("org-admin", "o"), "UpdatePolicy", ts(12, 2, 0),
          {"policyId": "p-ddbguard01",
           "content": scp(["dynamodb:DeleteTable", "dynamodb:DeleteBackup",
                           "dynamodb:UpdateContinuousBackups"], ["eu-west-1"])}),
      org(role("org-admin", "o"), "UpdatePolicy", ts(12, 2, 5),
          {"policyId": "p-ddbguard01", "description": "guardrails v2"})],
     "fires high\nbenign none\nfires_detail dynamodb:deletebackup\nfires_detail lets in us-east-1\n")
# the way round a visible edit: keep the action, but exempt oneself by a condition; routine:
# the condition removed again (stricter)
exempt = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "ProtectTables", "Effect": "Deny", "Action": ["dynamodb:DeleteTable", "dynamodb:DeleteBackup"],
     "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops-*"}}},
    {"Sid": "DataResidency", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}]})
pair("DDB-SCP-TAMPER__scoped",
     [create_scp("p-ddbguard01", guard, ts(10, 9, 0)),
      org(user("svc-reporting"), "UpdatePolicy", ts(12, 2, 0), {"policyId": "p-ddbguard01", "content": exempt})],
     [create_scp("p-ddbguard01", exempt, ts(10, 9, 0)),
      org(role("org-admin", "o"), "UpdatePolicy", ts(12, 2, 0), {"policyId": "p-ddbguard01", "content": guard})],
     "fires high\nbenign none\nfires_detail now denies less: dynamodb:delete\n")
# every SCP at once: the account leaves, or the policy type is switched off; routine: tag
# policies switched off
pair("DDB-SCP-TAMPER__all-at-once",
     [org(user("svc-reporting"), "LeaveOrganization", ts(12, 2, 0), {}),
      org(user("svc-reporting"), "DisablePolicyType", ts(12, 2, 1),
          {"rootId": "r-a1b2", "policyType": "SERVICE_CONTROL_POLICY"})],
     [org(role("org-admin", "o"), "DisablePolicyType", ts(12, 2, 1),
          {"rootId": "r-a1b2", "policyType": "TAG_POLICY"})],
     "fires critical\nbenign none\nfires_alerts 2\n")

# --- DDB-OFF-REGION: a region switched on ---------------------------------------------
pair("DDB-OFF-REGION__enable-region",
     [regional_event(event(user("svc-reporting"), "EnableRegion", ts(12, 2, 0),
                           {"accountId": ACCT, "regionName": "ap-east-1"},
                           source="account.amazonaws.com", data=False, read_only=False), "us-east-1")],
     [regional_event(event(role("platform-admin", "p"), "EnableRegion", ts(12, 2, 0),
                           {"accountId": ACCT, "regionName": "eu-central-1"},
                           source="account.amazonaws.com", data=False, read_only=False), "us-east-1"),
      regional_event(event(role("platform-admin", "p"), "DisableRegion", ts(12, 2, 1),
                           {"accountId": ACCT, "regionName": "ap-east-1"},
                           source="account.amazonaws.com", data=False, read_only=False), "us-east-1")],
     "fires high\nbenign none\nfires_detail region ap-east-1, which is not in allowed_regions, enabled\n")

# --- AWS Backup: DDB-BACKUP-TAMPER and DDB-DESTRUCTIVE ----------------------------------


def bk(who, name, when, params, response=None):
    return event(who, name, when, params, source="backup.amazonaws.com", data=False,
                 read_only=False, response=response)


RP = "arn:aws:backup:eu-west-1:%s:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45" % ACCT
selection = bk(role("platform-admin", "p"), "CreateBackupSelection", ts(10, 9, 0),
               {"backupPlanId": "plan-ddb-daily", "backupSelection": {
                   "selectionName": "tables", "iamRoleArn": "arn:aws:iam::%s:role/service-role/"
                   "AWSBackupDefaultServiceRole" % ACCT, "resources": [table_arn("orders")]}},
               {"selectionId": "sel-0001", "backupPlanId": "plan-ddb-daily"})


def vault_policy(effect, principal, action):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Principal": principal, "Action": action,
         "Resource": "arn:aws:backup:eu-west-1:%s:backup-vault:Default" % ACCT}]})


pair("DDB-BACKUP-TAMPER__aws-backup",
     [selection,
      bk(user("svc-reporting"), "DeleteBackupVaultLockConfiguration", ts(12, 2, 0),
         {"backupVaultName": "Default"}),
      bk(user("svc-reporting"), "PutBackupVaultAccessPolicy", ts(12, 2, 1),
         {"backupVaultName": "Default",
          "policy": vault_policy("Allow", {"AWS": "arn:aws:iam::%s:root" % EVIL}, "backup:*")}),
      bk(user("svc-reporting"), "UpdateRecoveryPointLifecycle", ts(12, 2, 2),
         {"backupVaultName": "Default", "recoveryPointArn": RP, "lifecycle": {"deleteAfterDays": 1}}),
      bk(user("svc-reporting"), "DeleteBackupSelection", ts(12, 2, 3),
         {"backupPlanId": "plan-ddb-daily", "selectionId": "sel-0001"})],
     [selection,
      bk(role("platform-admin", "p"), "PutBackupVaultLockConfiguration", ts(12, 2, 0),
         {"backupVaultName": "Default", "minRetentionDays": 35}),
      bk(role("platform-admin", "p"), "PutBackupVaultAccessPolicy", ts(12, 2, 1),
         {"backupVaultName": "Default",
          "policy": vault_policy("Deny", {"AWS": "*"}, "backup:DeleteRecoveryPoint")}),
      bk(role("platform-admin", "p"), "UpdateRecoveryPointLifecycle", ts(12, 2, 2),
         {"backupVaultName": "Default", "recoveryPointArn": RP, "lifecycle": {"deleteAfterDays": 35}}),
      bk(aws_service("backup.amazonaws.com"), "StopBackupJob", ts(12, 2, 3),
         {"backupJobId": "job-0001"})],
     "fires high\nbenign none\nfires_alerts 4\nfires_detail lets in arn:aws:iam::%s:root\n"
     "fires_detail deleted after 1 day(s)\nfires_detail vault lock removed\n" % EVIL)
pair("DDB-BACKUP-TAMPER__recovery-point",
     [bk(user("svc-reporting"), "DeleteRecoveryPoint", ts(12, 3, i),
         {"backupVaultName": "Default", "recoveryPointArn": RP[:-2] + "%02d" % i}) for i in range(3)],
     [bk(aws_service("backup.amazonaws.com"), "DeleteRecoveryPoint", ts(12, 3, 0),
         {"backupVaultName": "Default", "recoveryPointArn": RP})],
     "fires high\nbenign none\nfires_alerts 1\nfires_detail 3 recovery point(s) deleted from vault Default\n")

# --- DDB-TRAIL-TAMPER: the trail's bucket ------------------------------------------------
TB = "acme-org-trail-logs"


def s3(who, name, when, params):
    p = {"bucketName": params.pop("bucketName"), "Host": "s3.eu-west-1.amazonaws.com"}
    p.update(params)
    return event(who, name, when, p, source="s3.amazonaws.com", data=False, read_only=False)


def lifecycle(days, transition=None):
    rule = {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
            "Expiration": {"Days": days}}
    if transition:
        rule["Transition"] = {"Days": transition, "StorageClass": "GLACIER"}
    return {"lifecycle": "", "LifecycleConfiguration": {
        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Rule": rule}}


def trail_policy(allow_cloudtrail):
    st = [{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
           "Resource": "arn:aws:s3:::%s/*" % TB, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    if allow_cloudtrail:
        st += [{"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
                "Resource": "arn:aws:s3:::%s" % TB},
               {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::%s/AWSLogs/*" % TB}]
    return {"policy": "", "bucketPolicy": {"Version": "2012-10-17", "Statement": st}}


made = event(role("platform-admin", "p"), "CreateTrail", ts(10, 9, 0),
             {"name": "org-trail", "s3BucketName": TB, "isMultiRegionTrail": True,
              "enableLogFileValidation": True}, source="cloudtrail.amazonaws.com", data=False,
             read_only=False)
pair("DDB-TRAIL-TAMPER__bucket",
     [made,
      s3(user("svc-reporting"), "PutBucketLifecycle", ts(12, 2, 0), dict(bucketName=TB, **lifecycle(1))),
      s3(user("svc-reporting"), "PutBucketPolicy", ts(12, 2, 1),
         dict(bucketName=TB, **trail_policy(False))),
      s3(user("svc-reporting"), "DeleteBucket", ts(12, 2, 2), {"bucketName": TB})],
     [made,
      s3(role("platform-admin", "p"), "PutBucketLifecycle", ts(12, 2, 0),
         dict(bucketName=TB, **lifecycle(365, transition=30))),
      s3(role("platform-admin", "p"), "PutBucketPolicy", ts(12, 2, 1),
         dict(bucketName=TB, **trail_policy(True))),
      s3(role("app-uploads", "u"), "PutBucketLifecycle", ts(12, 2, 2),
         dict(bucketName="acme-tmp-uploads", **lifecycle(1))),
      s3(role("app-uploads", "u"), "DeleteBucket", ts(12, 2, 3), {"bucketName": "acme-tmp-uploads"})],
     "fires critical\nbenign none\nfires_alerts 3\nfires_detail expires log files after 1 day(s)\n"
     "fires_detail no longer lets CloudTrail deliver\n")

# --- DDB-POLICY-LOCKOUT ---------------------------------------------------------------


def deny_policy(cond, action="dynamodb:*", principal="*"):
    st = {"Sid": "lock", "Effect": "Deny", "Principal": principal, "Action": action,
          "Resource": table_arn("orders")}
    if cond:
        st["Condition"] = cond
    return {"resourceArn": table_arn("orders"),
            "policy": json.dumps({"Version": "2012-10-17", "Statement": [st]})}


pair("DDB-POLICY-LOCKOUT",
     [event(user("svc-reporting"), "PutResourcePolicy", ts(12, 5, 0),
            deny_policy({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::%s:role/keyholder" % EVIL}}),
            read_only=False)],
     [event(role("platform-admin", "p"), "PutResourcePolicy", ts(12, 5, 0),
            deny_policy({"StringNotEquals": {"aws:PrincipalAccount": ACCT}}), read_only=False),
      event(role("platform-admin", "p"), "PutResourcePolicy", ts(12, 5, 1),
            deny_policy({"Bool": {"aws:SecureTransport": "false"}}), read_only=False)],
     "fires critical\nbenign none\nfires_detail but arn:aws:iam::%s:role/keyholder, outside\n" % EVIL)
# the classic form: Deny with NotPrincipal, everyone but the extortionist; routine: a Deny of
# one destructive action to everyone but the break-glass role of the account, via a condition
np = {"resourceArn": table_arn("orders"), "policy": json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::%s:role/keyholder" % EVIL]},
     "Action": "dynamodb:*", "Resource": table_arn("orders")}]})}
pair("DDB-POLICY-LOCKOUT__not-principal",
     [event(user("svc-reporting"), "PutResourcePolicy", ts(12, 5, 0), np, read_only=False)],
     [event(role("platform-admin", "p"), "PutResourcePolicy", ts(12, 5, 0),
            deny_policy({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::%s:role/break-glass" % ACCT}},
                        action="dynamodb:DeleteTable"), read_only=False)],
     "fires critical\nbenign none\nfires_detail keyholder, outside the account\n")
# the way round "Principal *, dynamodb:*": deny only the undo (DeleteResourcePolicy) and the data
# to everyone but a role the intruder made in the account; routine: an org fence
pair("DDB-POLICY-LOCKOUT__own-account",
     [event(user("svc-reporting"), "PutResourcePolicy", ts(12, 5, 0),
            deny_policy({"StringNotLike": {"aws:PrincipalArn": ["arn:aws:iam::%s:role/svc-backup-2" % ACCT]}},
                        action=["dynamodb:GetItem", "dynamodb:Query", "dynamodb:DeleteResourcePolicy"],
                        principal={"AWS": "*"}), read_only=False)],
     [event(role("platform-admin", "p"), "PutResourcePolicy", ts(12, 5, 0),
            deny_policy({"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
                        principal={"AWS": "*"}), read_only=False)],
     "fires high\nbenign none\nfires_detail every principal but arn:aws:iam::%s:role/svc-backup-2\n"
     % ACCT)

# --- DDB-DAX-POLICY ---------------------------------------------------------------------


def iam(who, name, when, params, response=None):
    return regional_event(event(who, name, when, params, source="iam.amazonaws.com", data=False,
                                read_only=False, response=response), "us-east-1")


def doc(*actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": list(actions), "Resource": table_arn("*")}]})


READS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
         "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"]
pair("DDB-DAX-POLICY",
     [iam(user("svc-reporting"), "PutRolePolicy", ts(12, 2, 0),
          {"roleName": "DAXServiceRole", "policyName": "dax-access",
           "policyDocument": doc("dynamodb:Get*", "dynamodb:Put*", "dynamodb:Query")}),
      iam(user("svc-reporting"), "AttachRolePolicy", ts(12, 2, 1),
          {"roleName": "DAXServiceRole",
           "policyArn": "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"})],
     [iam(role("platform-admin", "p"), "PutRolePolicy", ts(12, 2, 0),
          {"roleName": "DAXServiceRole", "policyName": "dax-access", "policyDocument": doc(*READS)}),
      iam(role("platform-admin", "p"), "AttachRolePolicy", ts(12, 2, 1),
          {"roleName": "DAXServiceRole",
           "policyArn": "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"}),
      iam(role("platform-admin", "p"), "PutRolePolicy", ts(12, 2, 2),
          {"roleName": "orders-app-role", "policyName": "orders-rw",
           "policyDocument": doc("dynamodb:PutItem", "dynamodb:UpdateItem")})],
     "fires high\nbenign none\nfires_alerts 2\nfires_detail dynamodb:putitem\n"
     "fires_detail AmazonDynamoDBFullAccess (AWS managed\n")
# the way round PutRolePolicy: a customer policy attached read-only, then a new default version
PARN = "arn:aws:iam::%s:policy/dax-read" % ACCT
created = iam(role("platform-admin", "p"), "CreatePolicy", ts(10, 9, 0),
              {"policyName": "dax-read", "policyDocument": doc(*READS)},
              {"policy": {"policyName": "dax-read", "arn": PARN, "defaultVersionId": "v1"}})
attach = iam(role("platform-admin", "p"), "AttachRolePolicy", ts(10, 9, 1),
             {"roleName": "DAXServiceRole", "policyArn": PARN})
pair("DDB-DAX-POLICY__boundary",
     [iam(user("svc-reporting"), "DeleteRolePermissionsBoundary", ts(12, 2, 0),
          {"roleName": "DAXServiceRole"})],
     [iam(role("platform-admin", "p"), "PutRolePermissionsBoundary", ts(12, 2, 0),
          {"roleName": "DAXServiceRole",
           "permissionsBoundary": "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"}),
      iam(role("platform-admin", "p"), "DeleteRolePermissionsBoundary", ts(12, 2, 1),
          {"roleName": "orders-app-role"})],
     "fires medium\nbenign none\nfires_detail permissions boundary removed from DAX role\n")
pair("DDB-DAX-POLICY__policy-version",
     [created, attach,
      iam(user("svc-reporting"), "CreatePolicyVersion", ts(12, 2, 0),
          {"policyArn": PARN, "policyDocument": doc("dynamodb:*"), "setAsDefault": True})],
     [created, attach,
      iam(role("platform-admin", "p"), "CreatePolicyVersion", ts(12, 2, 0),
          {"policyArn": PARN, "policyDocument": doc(*(READS + ["dynamodb:DescribeTimeToLive"])),
           "setAsDefault": True})],
     "fires high\nbenign none\nfires_alerts 1\n")

# --- DDB-BACKDOOR-ROLE -------------------------------------------------------------------


def trust(*principals, service=None):
    st = [{"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}]
    if service:
        st.append({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})
    return json.dumps({"Version": "2012-10-17", "Statement": st})


def outside_user(acct, name):
    return {"type": "IAMUser", "principalId": "AIDA" + name.upper()[:12],
            "arn": "arn:aws:iam::%s:user/%s" % (acct, name), "accountId": acct,
            "accessKeyId": "AKIA" + uuid.uuid5(NS, acct + name).hex[:16].upper(), "userName": name}


def assume(who, role_name, when, key):
    return regional_event(event(who, "AssumeRole", when,
                                {"roleArn": "arn:aws:iam::%s:role/%s" % (ACCT, role_name),
                                 "roleSessionName": "s"},
                                source="sts.amazonaws.com", data=False, read_only=True,
                                ip="198.51.100.23",
                                response={"credentials": {"accessKeyId": key,
                                                          "expiration": "Nov 12, 2026, 6:00:00 AM"},
                                          "assumedRoleUser": {"assumedRoleId": "AROAOPSSUPPORT:s",
                                                              "arn": "arn:aws:sts::%s:assumed-role/%s/s"
                                                              % (ACCT, role_name)}}), "eu-west-1")


def with_key(e, key):
    e["userIdentity"]["accessKeyId"] = key
    return e


bcfg = cfg(trusted_accounts=["444455556666"])
pair("DDB-BACKDOOR-ROLE",
     [iam(user("svc-reporting"), "CreateRole", ts(12, 2, 0),
          {"roleName": "ops-support", "assumeRolePolicyDocument": trust("arn:aws:iam::%s:root" % EVIL)}),
      assume(outside_user(EVIL, "x"), "ops-support", ts(12, 3, 0), "ASIABACKDOORSESS0001"),
      with_key(event(role("ops-support", "s"), "Scan", ts(12, 3, 5), {"tableName": "customers"},
                     ip="198.51.100.23"), "ASIABACKDOORSESS0001")],
     [iam(role("platform-admin", "p"), "CreateRole", ts(12, 2, 0),
          {"roleName": "partner-read", "assumeRolePolicyDocument": trust("444455556666")}),
      assume(outside_user("444455556666", "partner"), "partner-read", ts(12, 3, 0),
             "ASIAPARTNERSESS00001"),
      with_key(event(role("partner-read", "s"), "Query", ts(12, 3, 5), {"tableName": "customers"}),
               "ASIAPARTNERSESS00001"),
      iam(role("platform-admin", "p"), "CreateRole", ts(12, 2, 1),
          {"roleName": "lambda-orders", "assumeRolePolicyDocument":
           trust("arn:aws:iam::%s:root" % ACCT, service="lambda.amazonaws.com")})],
     "fires critical\nbenign none\nfires_alerts 1\nfires_detail assumed 1 time(s) from %s\n" % EVIL,
     bcfg)
# the way round CreateRole: re-trust an existing role, to everyone; routine: a trust re-saved
# for services and the account itself
pair("DDB-BACKDOOR-ROLE__retrust",
     [iam(user("svc-reporting"), "UpdateAssumeRolePolicy", ts(12, 2, 0),
          {"roleName": "orders-app-role", "policyDocument": trust("*")})],
     [iam(role("platform-admin", "p"), "UpdateAssumeRolePolicy", ts(12, 2, 0),
          {"roleName": "orders-app-role",
           "policyDocument": trust(ACCT, service=["ec2.amazonaws.com", "lambda.amazonaws.com"])})],
     "fires medium\nbenign none\nfires_detail trusts *\n", bcfg)

# --- DDB-IAM-LIFECYCLE -------------------------------------------------------------------
MINTED = "AKIAMINTEDKEY0000001"
pair("DDB-IAM-LIFECYCLE",
     [iam(role("ci-deployer", "gh-123"), "CreateUser", ts(12, 2, 0), {"userName": "backup-svc2"}),
      iam(role("ci-deployer", "gh-123"), "CreateAccessKey", ts(12, 2, 1), {"userName": "backup-svc2"},
          {"accessKey": {"userName": "backup-svc2", "accessKeyId": MINTED, "status": "Active",
                         "createDate": "Nov 12, 2026, 2:01:00 AM"}}),
      event(user("backup-svc2", MINTED), "Scan", ts(12, 2, 21), {"tableName": "customers"},
            ip="203.0.113.77")],
     [iam(user("svc-reporting", "AKIAEXAMPLEUSERKEY01"), "CreateAccessKey", ts(12, 2, 1), {},
          {"accessKey": {"userName": "svc-reporting", "accessKeyId": "AKIAROTATEDKEY000001",
                         "status": "Active", "createDate": "Nov 12, 2026, 2:01:00 AM"}}),
      event(user("svc-reporting", "AKIAROTATEDKEY000001"), "Query", ts(12, 2, 21),
            {"tableName": "orders", "keyConditionExpression": "pk = :v"}),
      iam(role("platform-admin", "p"), "UpdateAccessKey", ts(12, 2, 30),
          {"userName": "svc-reporting", "accessKeyId": "AKIAEXAMPLEUSERKEY01", "status": "Inactive"})],
     "fires high\nbenign none\nfires_alerts 1\nfires_detail CreateAccessKey for backup-svc2 (key %s)\n"
     % MINTED)
# offboarded: console access and group gone, the forgotten key still reads; routine: a password
# reset (login profile deleted and made again)
JD = "AKIAJDOEKEY000000001"
pair("DDB-IAM-LIFECYCLE__offboarded",
     [iam(role("platform-admin", "p"), "DeleteLoginProfile", ts(10, 17, 0), {"userName": "jdoe"}),
      iam(role("platform-admin", "p"), "RemoveUserFromGroup", ts(10, 17, 1),
          {"userName": "jdoe", "groupName": "analysts"}),
      event(user("jdoe", JD), "GetItem", ts(12, 22, 0), {"tableName": "customers"}, ip="203.0.113.9")],
     [iam(role("platform-admin", "p"), "DeleteLoginProfile", ts(10, 17, 0), {"userName": "jdoe"}),
      iam(role("platform-admin", "p"), "CreateLoginProfile", ts(10, 17, 5),
          {"userName": "jdoe", "passwordResetRequired": True}),
      event(user("jdoe", JD), "GetItem", ts(12, 22, 0), {"tableName": "customers"})],
     "fires high\nbenign none\nfires_detail and its key used on DynamoDB after it\n")
# dormant: a key silent since July; routine: a weekly job
old_use = event(user("svc-legacy", "AKIALEGACYKEY0000001"), "GetItem", "2026-07-01T09:00:00Z",
                {"tableName": "orders"})
pair("DDB-IAM-LIFECYCLE__dormant",
     [old_use, event(user("svc-legacy", "AKIALEGACYKEY0000001"), "Scan", ts(12, 3, 0),
                     {"tableName": "orders"}, ip="203.0.113.50")],
     [event(user("svc-legacy", "AKIALEGACYKEY0000001"), "GetItem", ts(d, 9, 0), {"tableName": "orders"})
      for d in (1, 8, 15)],
     "fires medium\nbenign none\nfires_detail after 133 days of silence\n")

# --- DDB-COGNITO-UNAUTH ------------------------------------------------------------------
POOL = "eu-west-1:5e1c7a52-0d1e-4f7b-8a53-2b9e0c1d4e77"


def cognito(role_name, amr, ident="eu-west-1:0a1b2c3d-0000-4000-8000-00000000%04d", n=1, claims=True):
    r = role(role_name, "CognitoIdentityCredentials")
    r["accessKeyId"] = "ASIA" + uuid.uuid5(NS, "%s%d" % (role_name, n)).hex[:16].upper()
    if claims:
        r["sessionContext"]["webIdFederationData"] = {
            "federatedProvider": "cognito-identity.amazonaws.com",
            "attributes": {"cognito-identity.amazonaws.com:amr": json.dumps([amr]),
                           "cognito-identity.amazonaws.com:aud": POOL,
                           "cognito-identity.amazonaws.com:sub": ident % n}}
    return r


def pool_roles(who, when, unauth, auth="Cognito_appAuth_Role"):
    return event(who, "SetIdentityPoolRoles", when,
                 {"identityPoolId": POOL,
                  "roles": {"authenticated": "arn:aws:iam::%s:role/%s" % (ACCT, auth),
                            "unauthenticated": "arn:aws:iam::%s:role/%s" % (ACCT, unauth)}},
                 source="cognito-identity.amazonaws.com", data=False, read_only=False)


gcfg = cfg(cognito_guest_tables=["products"])
pair("DDB-COGNITO-UNAUTH",
     [event(cognito("Cognito_appUnauth_Role", "unauthenticated", n=i), n, ts(12, 4, i),
            {"tableName": t}, ip="198.51.100.%d" % (10 + i), read_only=n != "PutItem")
      for i, (n, t) in enumerate([("Scan", "products"), ("PutItem", "orders"), ("GetItem", "customers")])],
     [event(cognito("Cognito_appUnauth_Role", "unauthenticated", n=1), "GetItem", ts(12, 4, 0),
            {"tableName": "products", "key": {"pk": {"S": "p-1"}}}, ip="198.51.100.10"),
      event(cognito("Cognito_appAuth_Role", "authenticated", n=2), "PutItem", ts(12, 4, 1),
            {"tableName": "orders"}, ip="198.51.100.11", read_only=False),
      event(cognito("Cognito_appAuth_Role", "authenticated", n=3), "Query", ts(12, 4, 2),
            {"tableName": "orders", "keyConditionExpression": "pk = :me"}, ip="198.51.100.12")],
     "fires high\nbenign none\nfires_alerts 1\nfires_detail 1 scan(s), 1 write(s)\n"
     "fires_detail tables outside cognito_guest_tables: \n", gcfg)
# no claims in the record (a trail that drops them, a forwarder that strips them): the guest
# role is known from the pool's own SetIdentityPoolRoles; routine: the signed-in role
pair("DDB-COGNITO-UNAUTH__role",
     [pool_roles(role("platform-admin", "p"), ts(10, 9, 0), "Cognito_appUnauth_Role"),
      event(cognito("Cognito_appUnauth_Role", "unauthenticated", claims=False), "Query",
            ts(12, 4, 0), {"tableName": "customers", "keyConditionExpression": "pk = :v"},
            ip="198.51.100.10")],
     [pool_roles(role("platform-admin", "p"), ts(10, 9, 0), "Cognito_appUnauth_Role"),
      event(cognito("Cognito_appAuth_Role", "authenticated", claims=False), "Query",
            ts(12, 4, 0), {"tableName": "customers", "keyConditionExpression": "pk = :v"},
            ip="198.51.100.10")],
     "fires high\nbenign none\n", gcfg)
# the guests' role swapped for one that writes; routine: the pool re-saved as it was, and guest
# access re-saved on a pool that always had it
pair("DDB-COGNITO-UNAUTH__swap",
     [pool_roles(role("platform-admin", "p"), ts(10, 9, 0), "guest-read"),
      iam(user("svc-reporting"), "PutRolePolicy", ts(12, 3, 0),
          {"roleName": "guest-write", "policyName": "w", "policyDocument": doc("dynamodb:*Item")}),
      pool_roles(user("svc-reporting"), ts(12, 3, 5), "guest-write")],
     [event(role("platform-admin", "p"), "CreateIdentityPool", ts(10, 8, 0),
            {"identityPoolName": "app", "allowUnauthenticatedIdentities": True},
            response={"identityPoolId": POOL, "identityPoolName": "app",
                      "allowUnauthenticatedIdentities": True},
            source="cognito-identity.amazonaws.com", data=False, read_only=False),
      pool_roles(role("platform-admin", "p"), ts(10, 9, 0), "guest-read"),
      pool_roles(role("platform-admin", "p"), ts(12, 3, 5), "guest-read"),
      event(role("platform-admin", "p"), "UpdateIdentityPool", ts(12, 3, 6),
            {"identityPoolId": POOL, "identityPoolName": "app", "allowUnauthenticatedIdentities": True},
            source="cognito-identity.amazonaws.com", data=False, read_only=False)],
     "fires high\nbenign none\nfires_detail which the store saw granted DynamoDB writes\n", gcfg)
# the way round a swap: give the guests' own role writes; routine: give the signed-in role them
pair("DDB-COGNITO-UNAUTH__role-policy",
     [pool_roles(role("platform-admin", "p"), ts(10, 9, 0), "guest-read"),
      iam(user("svc-reporting"), "PutRolePolicy", ts(12, 3, 0),
          {"roleName": "guest-read", "policyName": "w", "policyDocument": doc("dynamodb:PutItem")})],
     [pool_roles(role("platform-admin", "p"), ts(10, 9, 0), "guest-read"),
      iam(role("platform-admin", "p"), "PutRolePolicy", ts(12, 3, 0),
          {"roleName": "Cognito_appAuth_Role", "policyName": "w", "policyDocument": doc("dynamodb:PutItem")}),
      iam(role("platform-admin", "p"), "PutRolePolicy", ts(12, 3, 1),
          {"roleName": "guest-read", "policyName": "r", "policyDocument": doc("dynamodb:GetItem")})],
     "fires high\nbenign none\nfires_detail gives role guest-read\n", gcfg)
# PUBLIC-SOURCE: signed-in app users on phones are the design; a role's key off its path is not
pair("DDB-PUBLIC-SOURCE__cognito",
     [event(role("orders-app-role", "i-1"), "PutItem", ts(12, 4, 0), {"tableName": "orders"},
            ip="81.2.69.11", read_only=False)],
     [event(cognito("Cognito_appAuth_Role", "authenticated", n=i), "PutItem", ts(12, 4, i),
            {"tableName": "orders"}, ip="81.2.69.%d" % (11 + i), read_only=False) for i in range(5)],
     "fires high\nbenign none\n")

# --- DDB-NEW-BULK-READER -----------------------------------------------------------------
# the store's history: an application reading by key on the days before
app_days = [event(role("orders-app-role", "i-1"), "GetItem", ts(d, 10, 0),
                  {"tableName": "orders", "key": {"pk": {"S": "o-%d" % d}}}) for d in (9, 10, 11)]


def scans(who, table, day, n, hours=10):
    return [event(who, "Scan", ts(day, 8 + i * hours // n, (i * 7) % 60),
                  {"tableName": table, "limit": 1000,
                   "exclusiveStartKey": {"pk": {"S": "k%d" % i}} if i else None})
            for i in range(n)]


# the way round DDB-MASS-SCAN: 30 pages over ten hours, 3 an hour, a table never read so
pair("DDB-NEW-BULK-READER",
     app_days + scans(role("report-export", "r"), "customers", 12, 30),
     app_days + [e for d in (9, 10, 11, 12) for e in scans(role("nightly-etl", "n%d" % d), "orders", d, 30)],
     "fires medium\nbenign none\nfires_alerts 1\nfires_detail at most 30000 item(s)\n"
     "fires_detail history: 3 earlier day(s)\nfires_detail never bulk-read this table\n")
# a steady small reader that suddenly copies the table; routine: the same reader a little busier
steady = [e for d, n in ((9, 2), (10, 3), (11, 2)) for e in scans(role("support-tool", "s"), "orders", d, n)]
pair("DDB-NEW-BULK-READER__surge",
     app_days + steady + scans(role("support-tool", "s"), "orders", 12, 40),
     app_days + steady + scans(role("support-tool", "s"), "orders", 12, 25),
     "fires medium\nbenign none\nfires_detail busiest day held 3\n")

# --- DDB-DESTRUCTIVE: a wipe by transactions -----------------------------------
# The way round the delete routes the rule knew: TransactWriteItems, in the API's own form
# (transactItems[].delete) and in the form AWS's CloudTrail example logs (requestItems with
# operation Delete and a capitalised TableName): 11 transactions of 100 deletes. Routine: the
# same job's transactions that put and condition-check as many items.
def transact(who, when, kind, n, sdk):
    if sdk:
        items = [{kind: {"tableName": "orders", "key": {"pk": {"S": "o%d" % i}}}}
                 for i in range(n)]
        return event(who, "TransactWriteItems", when, {"transactItems": items})
    items = [{"operation": kind[0].upper() + kind[1:], "TableName": "orders",
              "key": {"pk": "o%d" % i}} for i in range(n)]
    return event(who, "TransactWriteItems", when, {"requestItems": items})


wiper = role("order-sync", "sync-1")
pair("DDB-DESTRUCTIVE__transact-delete",
     [transact(wiper, ts(12, 3, i), "delete", 100, i % 2 == 0) for i in range(11)],
     [transact(wiper, ts(12, 3, i), ("put", "conditionCheck")[i % 2], 100, i < 6)
      for i in range(11)],
     "fires high\nbenign none\nfires_alerts 1\n"
     "fires_detail 1100 item(s) deleted from table orders in 11 call(s)\n")

# --- DDB-MASS-SCAN: a copy by batches of keys ----------------------------------
# The way round a rule that knows Scan and PartiQL: BatchGetItem, each call over seven tables
# (CloudTrail's list form, one entry per key), 56 items a call, ten calls. A bulk read is a
# volume: a batch of at least batch_read_items key lookups copies as a page of a Scan does,
# and each table it reads counts. Routine: an application's page loads, 60 batches of two
# keys from each of the same seven tables.
SEVEN = TABLES + ["carts"]


def batch_get(who, when, per_table):
    return event(who, "BatchGetItem", when,
                 {"requestItems": [{"tableName": t, "key": {"pk": "k%d" % k}}
                                   for t in SEVEN for k in range(per_table)]})


pair("DDB-MASS-SCAN__batch-get",
     [batch_get(role("report-export", "x"), ts(12, 5, i), 8) for i in range(10)],
     [batch_get(role("web-app", "w"), ts(12, 5, i // 2, i % 2 * 30), 2) for i in range(60)],
     "fires high\nbenign none\nfires_alerts 1\nfires_detail over 7 table(s)\n")

# --- DDB-NEW-BULK-READER: the same copy, spread over a day -----------------------
# 24 big batches over the day, one an hour (under every hourly threshold of DDB-MASS-SCAN),
# each over seven tables: a new bulk reader of each. Routine: the application's small
# batches every hour of the same days.
pair("DDB-NEW-BULK-READER__batch-get",
     app_days + [batch_get(role("report-export", "x"), ts(12, h, 5), 8) for h in range(24)],
     app_days + [batch_get(role("web-app", "w"), ts(d, h, 5), 2)
                 for d in (9, 10, 11, 12) for h in range(24)],
     "fires medium\nbenign none\nfires_alerts 7\nfires_detail 24 bulk read(s) of carts\n"
     "fires_detail at most 192 item(s)\n")

# --- DDB-FOREIGN-VPCE: the table is the other account's --------------------------
# The way round a rule that takes the log's own account for the table's: from inside our VPC,
# through our own endpoint, a role writes into a table of an outside account named by its
# ARN (the account is in the ARN, nowhere else). Routine: the same role and endpoint on our own
# table, named by its ARN too.
inside = role("order-sync", "sync-2")
pair("DDB-FOREIGN-VPCE__table-arn",
     [event(inside, "PutItem", ts(12, 6, i), {"tableName": table_arn("drop-zone", EVIL),
                                              "key": {"pk": {"S": "o%d" % i}}},
            vpce="vpce-0a1b2c3d4e5f60789", vpce_acct=ACCT) for i in range(3)],
     [event(inside, "PutItem", ts(12, 6, i), {"tableName": table_arn("orders"),
                                              "key": {"pk": {"S": "o%d" % i}}},
            vpce="vpce-0a1b2c3d4e5f60789", vpce_acct=ACCT) for i in range(3)],
     "fires high\nbenign none\nfires_alerts 1\nfires_detail (table account %s)\n" % EVIL)

base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "detections")
for case, (fires, benign, expect, config) in sorted(out.items()):
    d = os.path.join(base, case)
    os.makedirs(d, exist_ok=True)
    for kind, recs in (("fires", fires), ("benign", benign)):
        with open(os.path.join(d, kind + ".json"), "w") as f:
            json.dump({"Records": recs}, f, indent=1, sort_keys=False)
            f.write("\n")
    with open(os.path.join(d, "expect"), "w") as f:
        f.write(expect)
    if config:
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
            f.write("\n")
print("wrote %d pairs" % len(out))
