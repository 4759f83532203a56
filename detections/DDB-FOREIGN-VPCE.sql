-- id: DDB-FOREIGN-VPCE
-- title: DynamoDB reached through someone else's VPC endpoint
-- severity: high
-- description: DynamoDB requests came through a VPC endpoint owned by another account than the
--   table's (vpcEndpointAccountId), not listed in trusted_accounts; or, when
--   trusted_vpc_endpoints is set, through an endpoint not in it. An endpoint in the
--   attacker's own VPC gives stolen credentials a private path whose logs and policies the
--   victim never sees: it must never look safer than the public internet.
-- mitre: T1078.004, T1530, T1599
-- stage: credential-use
-- story: through a foreign VPC endpoint
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/vpc-endpoints-dynamodb.html,
--   https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
-- falsepositives: Shared-services VPCs owned by another account of the organisation; list it
--   in trusted_accounts, or its endpoints in trusted_vpc_endpoints.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id,
       sole(aws_region) AS aws_region,
       actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       sole(table_name) AS table_name,
       id_list(DISTINCT table_name) AS tables,
       group_concat(DISTINCT event_name) AS event_names,
       id_list(event_id) AS event_ids,
       printf('%d DynamoDB call(s) through VPC endpoint %s, owned by %s (table account %s)%s%s',
              count(*), vpc_endpoint_id, coalesce(vpc_endpoint_account_id, 'an account not logged'),
              coalesce(recipient_account_id, account_id),
              CASE WHEN (SELECT count(*) FROM settings_list WHERE key = 'trusted_vpc_endpoints') > 0
                        AND vpc_endpoint_id NOT IN (SELECT value FROM settings_list
                                                    WHERE key = 'trusted_vpc_endpoints')
                   THEN '; not in trusted_vpc_endpoints' ELSE '' END,
              CASE WHEN count(DISTINCT principal_arn) > 1
                   THEN '; sessions: ' || id_list(DISTINCT arn_session(principal_arn))
                   ELSE '' END) AS detail,
       json_array(actor_arn, vpc_endpoint_id, vpc_endpoint_account_id) AS group_key
FROM events NOT INDEXED
WHERE event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
  AND vpc_endpoint_id IS NOT NULL
  AND ((vpc_endpoint_account_id IS NOT NULL
        AND vpc_endpoint_account_id <> coalesce(recipient_account_id, account_id)
        AND vpc_endpoint_account_id NOT IN (SELECT value FROM settings_list
                                            WHERE key = 'trusted_accounts'))
       OR ((SELECT count(*) FROM settings_list WHERE key = 'trusted_vpc_endpoints') > 0
           AND vpc_endpoint_id NOT IN (SELECT value FROM settings_list
                                       WHERE key = 'trusted_vpc_endpoints')))
GROUP BY actor_arn, vpc_endpoint_id, vpc_endpoint_account_id, account_id
