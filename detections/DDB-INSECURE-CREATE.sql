-- id: DDB-INSECURE-CREATE
-- title: DynamoDB table created without safeguards
-- severity: low
-- description: CreateTable without deletion protection, without point-in-time recovery turned
--   on within window_seconds, or (when require_customer_kms is set) without a
--   customer-managed KMS key. Posture read from the logs: tables born unprotected stay so.
-- mitre: T1485
-- stage: credential-use
-- story: table created without safeguards
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/best-practices-security-preventative.html
-- falsepositives: Short-lived test tables.
WITH c AS (
  SELECT e.*,
         coalesce(json_extract(request_parameters, '$.deletionProtectionEnabled'), 0) AS protected,
         EXISTS (SELECT 1 FROM events p
                 WHERE p.event_name = 'UpdateContinuousBackups' AND p.table_name = e.table_name
                   AND p.error_code IS NULL
                   AND json_extract(p.request_parameters,
                         '$.pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled') = 1
                   AND p.event_ts BETWEEN e.event_ts AND e.event_ts + :window_seconds) AS pitr,
         json_extract(request_parameters, '$.sSESpecification.sSEType') = 'KMS'
           AND json_extract(request_parameters, '$.sSESpecification.kMSMasterKeyId') IS NOT NULL AS cmk
  FROM events e
  WHERE event_source = 'dynamodb.amazonaws.com' AND event_name = 'CreateTable' AND error_code IS NULL
    AND actor_kind IS NOT 'aws-service' -- AWS creating tables for itself (restores by Backup)
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip, table_name,
       event_name AS event_names, event_id AS event_ids,
       printf('table %s created without %s', coalesce(table_name, '?'),
              trim(CASE WHEN NOT protected THEN 'deletion protection, ' ELSE '' END ||
                   CASE WHEN NOT pitr THEN 'point-in-time recovery, ' ELSE '' END ||
                   CASE WHEN NOT coalesce(cmk, 0) AND :require_customer_kms
                        THEN 'a customer-managed KMS key, ' ELSE '' END, ', ')) AS detail,
       event_id AS group_key
FROM c
WHERE NOT protected OR NOT pitr OR (NOT coalesce(cmk, 0) AND :require_customer_kms)
