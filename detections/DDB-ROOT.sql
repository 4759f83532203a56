-- id: DDB-ROOT
-- title: DynamoDB used by the root user
-- severity: high
-- description: The account's root user made a DynamoDB call. Root cannot be restricted by IAM
--   policies and should never be used for day-to-day work; its use on data is a strong sign
--   of compromise.
-- mitre: T1078.004
-- references: https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html
-- falsepositives: Break-glass procedures, which should be announced.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id,
       CASE WHEN count(DISTINCT aws_region) = 1 THEN max(aws_region) END AS aws_region,
       max(principal_arn) AS principal_arn,
       CASE WHEN count(DISTINCT access_key_id) = 1 THEN max(access_key_id) END AS access_key_id,
       CASE WHEN count(DISTINCT source_ip) = 1 THEN max(source_ip) END AS source_ip,
       CASE WHEN count(DISTINCT table_name) = 1 THEN max(table_name) END AS table_name,
       group_concat(DISTINCT event_name) AS event_names,
       id_list(event_id) AS event_ids,
       printf('root user of account %s made %d DynamoDB call(s) from %d source IP(s)',
              account_id, count(*), count(DISTINCT source_ip)) AS detail,
       account_id AS group_key
FROM events
WHERE event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
  AND identity_type = 'Root'
GROUP BY account_id
