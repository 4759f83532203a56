-- id: DDB-DAX-WRITE
-- title: DAX service role writing or managing DynamoDB
-- severity: medium
-- description: The DAX cluster's service role (dax_role_arns, or any role whose name mentions
--   DAX) made a write or a management change. DAX only needs to read through to DynamoDB;
--   its role writing means its credentials are used by something else, or it was given
--   more than it needs.
-- mitre: T1078.004, T1565.001
-- stage: impact
-- story: DAX role writing
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.access-control.html
-- falsepositives: DAX write-through caches, where the role must write; list no such role.
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
       printf('DAX role %s made %d write or management call(s) from %d source IP(s)',
              actor_arn, count(*), count(DISTINCT source_ip))
       || CASE WHEN count(DISTINCT principal_arn) > 1
                   THEN '; sessions: ' || id_list(arn_session(principal_arn), event_ts)
              ELSE '' END AS detail,
       actor_arn AS group_key
FROM events e
WHERE event_source = 'dynamodb.amazonaws.com'
  AND read_only = 0
  AND (session_issuer_arn IN (SELECT value FROM settings_list WHERE key = 'dax_role_arns')
       OR principal_arn IN (SELECT value FROM settings_list WHERE key = 'dax_role_arns')
       OR session_issuer_name REGEXP '(?i)dax')
GROUP BY actor_arn, account_id
