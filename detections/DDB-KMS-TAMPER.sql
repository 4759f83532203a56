-- id: DDB-KMS-TAMPER
-- title: KMS key protecting DynamoDB disabled, scheduled for deletion or re-policied
-- severity: high
-- description: A call the catalogue says weakens a KMS key (DisableKey, ScheduleKeyDeletion,
--   DeleteImportedKeyMaterial, PutKeyPolicy, and any route added later) on a key seen
--   protecting a DynamoDB table in the store (high), or on another key (low). A table whose
--   key is disabled or whose imported key material is deleted becomes unreadable: ransom
--   without touching the data. A table's key is read wherever a DynamoDB call names one
--   (kMSMasterKeyId, kMSMasterKeyArn at any depth: creates, imports, restores, updates,
--   describes).
-- effects: weakens-key, creates-table
-- mitre: T1485, T1486
-- stage: impact
-- story: table key disabled
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
-- falsepositives: Key rotation projects.
WITH table_keys AS (
  SELECT DISTINCT substr(t.atom, instr(t.atom, 'key/') + 4) AS key_id, e.table_name
  FROM events e,
       json_tree(json_array(json(coalesce(e.request_parameters, 'null')),
                            json(coalesce(e.response_elements, 'null')))) t
  WHERE e.event_source = 'dynamodb.amazonaws.com' AND e.error_code IS NULL
    AND e.table_name IS NOT NULL
    AND (e.event_name IN ('CreateTable', 'UpdateTable', 'DescribeTable')
         OR e.event_id IN (SELECT event_id FROM event_effects WHERE effect = 'creates-table'))
    AND t.key IN ('kMSMasterKeyId', 'kMSMasterKeyArn') AND t.atom IS NOT NULL
),
ops AS (
  SELECT e.*, json_extract(request_parameters, '$.keyId') AS kid
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'weakens-key' AND e.error_code IS NULL
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
