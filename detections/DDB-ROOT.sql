-- id: DDB-ROOT
-- title: DynamoDB used by the root user
-- severity: high
-- description: The account's root user made a DynamoDB call. Root cannot be restricted by IAM
--   policies and should never be used for day-to-day work; its use on data is a strong sign
--   of compromise.
-- mitre: T1078.004
-- stage: credential-use
-- story: root user used
-- references: https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html
-- falsepositives: Break-glass procedures, which should be announced.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id,
       sole(aws_region) AS aws_region,
       max(principal_arn) AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       sole(table_name) AS table_name,
       id_list(table_name, event_ts) AS tables,
       id_list(event_name, event_ts) AS event_names,
       id_list(event_id, event_ts) AS event_ids,
       printf('root user of account %s made %d DynamoDB call(s) from %d source IP(s)',
              account_id, count(*), count(DISTINCT source_ip)) AS detail,
       account_id AS group_key
FROM events
WHERE event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
  AND identity_type = 'Root'
GROUP BY account_id
