-- id: DDB-KMS-TAMPER
-- title: KMS key protecting DynamoDB disabled, scheduled for deletion or re-policied
-- severity: high
-- description: DisableKey, ScheduleKeyDeletion or PutKeyPolicy on a KMS key seen protecting a
--   DynamoDB table in the store (high), or on another key (low). A table whose key is
--   disabled becomes unreadable: ransom without touching the data.
-- mitre: T1485, T1486
-- stage: impact
-- story: table key disabled
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
-- falsepositives: Key rotation projects.
WITH table_keys AS (
  SELECT DISTINCT substr(k, instr(k, 'key/') + 4) AS key_id, table_name
  FROM (SELECT table_name,
               coalesce(json_extract(request_parameters, '$.sSESpecification.kMSMasterKeyId'),
                        json_extract(response_elements, '$.tableDescription.sSEDescription.kMSMasterKeyArn')) AS k
        FROM events
        WHERE event_source = 'dynamodb.amazonaws.com' AND event_name IN ('CreateTable', 'UpdateTable'))
  WHERE k IS NOT NULL
),
ops AS (
  SELECT e.*, json_extract(request_parameters, '$.keyId') AS kid
  FROM events e
  WHERE event_source = 'kms.amazonaws.com' AND error_code IS NULL
    AND event_name IN ('DisableKey', 'ScheduleKeyDeletion', 'PutKeyPolicy')
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       (SELECT group_concat(t.table_name) FROM table_keys t
        WHERE t.key_id = substr(o.kid, instr(o.kid, 'key/') + 4)) AS table_name,
       event_name AS event_names, event_id AS event_ids,
       printf('%s on KMS key %s%s', event_name, coalesce(kid, '?'),
              coalesce(' protecting DynamoDB table(s) ' ||
                       (SELECT group_concat(t.table_name) FROM table_keys t
                        WHERE t.key_id = substr(o.kid, instr(o.kid, 'key/') + 4)), ''))
         || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN NOT EXISTS (SELECT 1 FROM table_keys t
                             WHERE t.key_id = substr(o.kid, instr(o.kid, 'key/') + 4))
            THEN 'low' END AS severity,
       event_id AS group_key
FROM ops o
