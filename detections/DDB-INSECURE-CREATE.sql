-- id: DDB-INSECURE-CREATE
-- title: DynamoDB table created without safeguards
-- severity: low
-- description: A table came to exist (any route the catalogue's creates-table names: CreateTable,
--   ImportTable, RestoreTableFromBackup, RestoreTableToPointInTime) without deletion protection,
--   without point-in-time recovery turned on within window_seconds, or (when
--   require_customer_kms is set) without a customer-managed KMS key. Imports and restores cannot
--   set deletion protection, so they are judged by an UpdateTable turning it on within
--   window_seconds. A table is (account, region, name). Replicas added to a global table are
--   left to the region rules. Posture read from the logs: tables born unprotected stay so. An
--   import from a bucket another account owns (s3BucketOwner neither the table's account nor
--   in trusted_accounts) is medium whatever its safeguards: the data came from someone else
--   (possible poisoning).
-- effects: creates-table, copies-data-out
-- mitre: T1485
-- stage: credential-use
-- story: table created without safeguards
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/best-practices-security-preventative.html
-- falsepositives: Short-lived test tables.
WITH made AS (
  SELECT e.*, e.table_name AS tbl -- of a restore or import, the table made (normalize.c)
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'creates-table' AND e.error_code IS NULL
    AND e.actor_kind IS NOT 'aws-service' -- AWS creating tables for itself (restores by Backup)
    AND NOT EXISTS (SELECT 1 FROM event_effects r WHERE r.event_id = e.event_id
                                                    AND r.effect = 'copies-data-out')
),
guards AS MATERIALIZED (
  -- the safeguards turned on after a table was made, found once (a log with 50 000 creates
  -- and thousands of UpdateTables must not compare each with each)
  SELECT CASE event_name WHEN 'UpdateTable' THEN 'protected' ELSE 'pitr' END AS kind,
         table_name, account_id, aws_region, event_ts
  FROM events
  WHERE event_source = 'dynamodb.amazonaws.com' AND error_code IS NULL
    AND ((event_name = 'UpdateTable'
          AND json_extract(request_parameters, '$.deletionProtectionEnabled') = 1)
         OR (event_name = 'UpdateContinuousBackups'
             AND json_extract(request_parameters,
                   '$.pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled') = 1))
),
c AS MATERIALIZED (
  SELECT m.event_time, m.account_id, m.aws_region, m.actor_arn, m.access_key_id, m.source_ip,
         m.tbl, m.event_name, m.event_id,
         coalesce(json_extract(m.request_parameters, '$.deletionProtectionEnabled'), 0)
         OR EXISTS (SELECT 1 FROM guards g
                    WHERE g.kind = 'protected' AND g.table_name = m.tbl
                      AND g.account_id IS m.account_id AND g.aws_region IS m.aws_region
                      AND g.event_ts BETWEEN m.event_ts AND m.event_ts + :window_seconds)
           AS protected,
         EXISTS (SELECT 1 FROM guards g
                 WHERE g.kind = 'pitr' AND g.table_name = m.tbl
                   AND g.account_id IS m.account_id AND g.aws_region IS m.aws_region
                   AND g.event_ts BETWEEN m.event_ts AND m.event_ts + :window_seconds) AS pitr,
         coalesce(json_extract(m.request_parameters, '$.sSESpecification.sSEType'),
                  json_extract(m.request_parameters, '$.tableCreationParameters.sSESpecification.sSEType'),
                  json_extract(m.request_parameters, '$.sSESpecificationOverride.sSEType')) = 'KMS'
           AND coalesce(json_extract(m.request_parameters, '$.sSESpecification.kMSMasterKeyId'),
                        json_extract(m.request_parameters, '$.tableCreationParameters.sSESpecification.kMSMasterKeyId'),
                        json_extract(m.request_parameters, '$.sSESpecificationOverride.kMSMasterKeyId'))
               IS NOT NULL AS cmk
         ,
         (SELECT r.account FROM event_refs r
          WHERE r.event_id = m.event_id AND r.kind = 'account' AND r.field = 's3BucketOwner'
            AND r.account IS NOT m.recipient_account_id
            AND r.account NOT IN (SELECT value FROM settings_list WHERE key = 'trusted_accounts')
          LIMIT 1) AS foreign_owner
  FROM made m
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       tbl AS table_name, event_name AS event_names, event_id AS event_ids,
       printf('table %s %s%s', coalesce(tbl, '?'),
              CASE event_name WHEN 'CreateTable' THEN 'created'
                              WHEN 'ImportTable' THEN 'created by an import (which cannot set deletion protection)'
                              ELSE 'restored (a restore cannot set deletion protection)' END,
              coalesce(' without ' || nullif(trim(
                   CASE WHEN NOT protected THEN 'deletion protection, ' ELSE '' END ||
                   CASE WHEN NOT pitr THEN 'point-in-time recovery, ' ELSE '' END ||
                   CASE WHEN NOT coalesce(cmk, 0) AND :require_customer_kms
                        THEN 'a customer-managed KMS key, ' ELSE '' END, ', '), ''), ''))
         || coalesce('; imported from a bucket of account ' || foreign_owner
                     || ' (not the table''s, not trusted: possible poisoning)', '') AS detail,
       CASE WHEN foreign_owner IS NOT NULL THEN 'medium' END AS severity,
       event_id AS group_key
FROM c
WHERE NOT protected OR NOT pitr OR (NOT coalesce(cmk, 0) AND :require_customer_kms)
   OR foreign_owner IS NOT NULL
