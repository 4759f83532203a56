-- id: DDB-FOREIGN-VPCE
-- title: DynamoDB reached through someone else's VPC endpoint
-- severity: high
-- description: DynamoDB requests came through a VPC endpoint owned by another account than the
--   table's (vpcEndpointAccountId), and the one of the two that is not the log's own account
--   is not listed in trusted_accounts; or, when trusted_vpc_endpoints is set, through an
--   endpoint not in it. The table's account is the one its ARN names wherever the request
--   names it (the store's references: a TableName that is another account's table ARN), else
--   the log's. An endpoint in the attacker's own VPC gives stolen credentials a private path
--   whose logs and policies the victim never sees: it must never look safer than the public
--   internet; and our own endpoint carrying data into an outside account's table is the same
--   path the other way.
-- mitre: T1078.004, T1530, T1599
-- stage: credential-use
-- story: through a foreign VPC endpoint
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/vpc-endpoints-dynamodb.html,
--   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
-- falsepositives: Shared-services VPCs owned by another account of the organisation; list it
--   in trusted_accounts, or its endpoints in trusted_vpc_endpoints. A partner's table reached
--   on purpose: list the partner in trusted_accounts.
WITH calls AS (
  SELECT e.*, coalesce(e.recipient_account_id, e.account_id) AS own,
         -- a table the request names by ARN, one of another account than the endpoint's
         -- first (a batch over tables of two accounts)
         coalesce((SELECT r.account FROM event_refs r
                   WHERE r.event_id = e.event_id AND r.kind = 'arn' AND r.service = 'dynamodb'
                     AND r.resource LIKE 'table/%' AND r.account <> ''
                     AND r.account IS NOT e.vpc_endpoint_account_id LIMIT 1),
                  (SELECT r.account FROM event_refs r
                   WHERE r.event_id = e.event_id AND r.kind = 'arn' AND r.service = 'dynamodb'
                     AND r.resource LIKE 'table/%' AND r.account <> '' LIMIT 1),
                  e.recipient_account_id, e.account_id) AS table_account
  FROM events e NOT INDEXED
  WHERE e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND e.vpc_endpoint_id IS NOT NULL
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id,
       sole(aws_region) AS aws_region,
       actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       sole(table_name) AS table_name,
       id_list(table_name, event_ts) AS tables,
       id_list(event_name, event_ts) AS event_names,
       id_list(event_id, event_ts) AS event_ids,
       printf('%d DynamoDB call(s) through VPC endpoint %s, owned by %s (table account %s)%s%s',
              count(*), vpc_endpoint_id, coalesce(vpc_endpoint_account_id, 'an account not logged'),
              id_list(table_account, event_ts),
              CASE WHEN (SELECT count(*) FROM settings_list WHERE key = 'trusted_vpc_endpoints') > 0
                        AND vpc_endpoint_id NOT IN (SELECT value FROM settings_list
                                                    WHERE key = 'trusted_vpc_endpoints')
                   THEN '; not in trusted_vpc_endpoints' ELSE '' END,
              CASE WHEN count(DISTINCT principal_arn) > 1
                   THEN '; sessions: ' || id_list(arn_session(principal_arn), event_ts)
                   ELSE '' END) AS detail,
       json_array(actor_arn, vpc_endpoint_id, vpc_endpoint_account_id) AS group_key
FROM calls
WHERE ((vpc_endpoint_account_id IS NOT NULL
        AND vpc_endpoint_account_id <> table_account
        -- of the endpoint's and the table's accounts, the outside one must be trusted
        AND ((vpc_endpoint_account_id <> own
              AND vpc_endpoint_account_id NOT IN (SELECT value FROM settings_list
                                                  WHERE key = 'trusted_accounts'))
             OR (table_account <> own
                 AND table_account NOT IN (SELECT value FROM settings_list
                                           WHERE key = 'trusted_accounts'))))
       OR ((SELECT count(*) FROM settings_list WHERE key = 'trusted_vpc_endpoints') > 0
           AND vpc_endpoint_id NOT IN (SELECT value FROM settings_list
                                       WHERE key = 'trusted_vpc_endpoints')))
GROUP BY actor_arn, vpc_endpoint_id, vpc_endpoint_account_id, account_id
