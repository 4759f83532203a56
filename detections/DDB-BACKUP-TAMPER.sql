-- id: DDB-BACKUP-TAMPER
-- title: DynamoDB recovery safeguards disabled
-- severity: high
-- description: Point-in-time recovery was switched off (UpdateContinuousBackups) or deletion
--   protection removed (UpdateTable, CreateTable does not count). Both are what an attacker
--   disables before deleting or corrupting data so that it cannot be restored.
-- mitre: T1490
-- stage: impact
-- story: recovery disabled
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
-- falsepositives: Decommissioning a table on purpose.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id, aws_region, actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       table_name,
       group_concat(DISTINCT event_name) AS event_names,
       id_list(event_id) AS event_ids,
       printf('on table %s: %s', coalesce(table_name, '?'),
              group_concat(DISTINCT CASE event_name
                WHEN 'UpdateContinuousBackups' THEN 'point-in-time recovery disabled'
                ELSE 'deletion protection disabled' END))
       || CASE WHEN count(DISTINCT principal_arn) > 1
               THEN '; sessions: ' || id_list(DISTINCT arn_session(principal_arn)) ELSE '' END
         AS detail,
       json_array(actor_arn, table_name) AS group_key
FROM events
WHERE event_source = 'dynamodb.amazonaws.com' AND error_code IS NULL
  AND ((event_name = 'UpdateContinuousBackups'
        AND json_extract(request_parameters,
              '$.pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled') = 0)
    OR (event_name = 'UpdateTable'
        AND json_extract(request_parameters, '$.deletionProtectionEnabled') = 0))
GROUP BY actor_arn, table_name, account_id, aws_region
