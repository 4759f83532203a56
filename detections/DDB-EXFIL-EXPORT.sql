-- id: DDB-EXFIL-EXPORT
-- title: DynamoDB table data sent out of the account
-- severity: high
-- description: A whole table leaving by one of three routes: ExportTableToPointInTime to S3
--   (high when the bucket's owner is another account or the bucket is not in
--   trusted_export_buckets; low otherwise, for the record); Enable- or
--   UpdateKinesisStreamingDestination to a Kinesis stream of another account or not in
--   trusted_kinesis_streams (high; low otherwise); AWS Backup StartCopyJob of a DynamoDB
--   recovery point to a vault of another account not in trusted_accounts (high; medium when
--   the log does not say the recovery point is DynamoDB's). A call that failed is an attempt:
--   reported as one (medium), never as done. Every route the catalogue says copies data out
--   is read, except replicas of a global table (which stay in the account: DDB-OFF-REGION's);
--   for a route none of the three, the destination is the first account the call names (its
--   ARNs and owner keys) other than the table's.
-- effects: copies-data-out, creates-table
-- mitre: T1537, T1530
-- stage: collection
-- story: data sent out of the account
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.HowItWorks.html,
--   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html,
--   https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html
-- falsepositives: Analytics exports, streams and DR copies to places not yet listed in
--   trusted_export_buckets, trusted_kinesis_streams or trusted_accounts.
WITH x AS (
  SELECT e.*, coalesce(arn_account(json_extract(e.request_parameters, '$.tableArn')),
                       arn_account(json_extract(e.request_parameters, '$.tableName')),
                       e.recipient_account_id, e.account_id) AS table_account,
         CASE e.event_name
           WHEN 'ExportTableToPointInTime' THEN 's3://' || coalesce(json_extract(e.request_parameters, '$.s3Bucket'), '?')
           WHEN 'StartCopyJob' THEN json_extract(e.request_parameters, '$.destinationBackupVaultArn')
           ELSE json_extract(e.request_parameters, '$.streamArn') END AS dest,
         CASE e.event_name
           WHEN 'ExportTableToPointInTime' THEN json_extract(e.request_parameters, '$.s3BucketOwner')
           WHEN 'StartCopyJob' THEN arn_account(json_extract(e.request_parameters, '$.destinationBackupVaultArn'))
           WHEN 'EnableKinesisStreamingDestination' THEN arn_account(json_extract(e.request_parameters, '$.streamArn'))
           WHEN 'UpdateKinesisStreamingDestination' THEN arn_account(json_extract(e.request_parameters, '$.streamArn'))
           ELSE (SELECT r.account FROM event_refs r
                 WHERE r.event_id = e.event_id AND r.account IS NOT NULL
                   AND r.account IS NOT coalesce(e.recipient_account_id, e.account_id)
                 ORDER BY r.rowid LIMIT 1) END AS dest_account,
         json_extract(e.request_parameters, '$.recoveryPointArn') AS recovery_point
  FROM event_effects c JOIN events e ON e.event_id = c.event_id
  WHERE c.effect = 'copies-data-out'
    AND NOT EXISTS (SELECT 1 FROM event_effects r WHERE r.event_id = e.event_id
                                                   AND r.effect = 'creates-table')
),
judged AS (
  SELECT x.*,
         CASE
           WHEN event_name = 'ExportTableToPointInTime' THEN
             (dest_account IS NOT NULL AND dest_account <> table_account)
             OR substr(dest, 6) NOT IN (SELECT value FROM settings_list WHERE key = 'trusted_export_buckets')
           WHEN event_name = 'StartCopyJob' THEN
             dest_account IS NOT NULL AND dest_account <> table_account
             AND dest_account NOT IN (SELECT value FROM settings_list WHERE key = 'trusted_accounts')
           WHEN event_name NOT IN ('EnableKinesisStreamingDestination',
                                   'UpdateKinesisStreamingDestination') THEN
             -- a route the catalogue added later: out of the account is what counts
             dest_account IS NOT NULL AND dest_account <> table_account
             AND dest_account NOT IN (SELECT value FROM settings_list WHERE key = 'trusted_accounts')
           ELSE
             (dest_account IS NOT NULL AND dest_account <> table_account)
             OR coalesce(dest, '') NOT IN (SELECT value FROM settings_list WHERE key = 'trusted_kinesis_streams')
         END AS foreign_dest,
         event_name <> 'StartCopyJob' OR coalesce(recovery_point, '') LIKE 'arn:aws%:dynamodb:%' AS is_ddb
  FROM x
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       table_name, event_name AS event_names, event_id AS event_ids,
       printf('%s%s%s to %s (owner %s, table account %s)%s%s',
              CASE WHEN error_code IS NOT NULL THEN 'attempt (failed: ' || error_code || '): ' ELSE '' END,
              CASE event_name WHEN 'ExportTableToPointInTime' THEN 'table ' || coalesce(table_name, '?') || ' exported'
                              WHEN 'StartCopyJob' THEN CASE WHEN is_ddb THEN 'DynamoDB recovery point '
                                                            ELSE 'recovery point (the log does not say of what) ' END
                                                       || coalesce(recovery_point, '?') || ' copied'
                              WHEN 'EnableKinesisStreamingDestination' THEN 'table ' || coalesce(table_name, '?') || ' streamed'
                              WHEN 'UpdateKinesisStreamingDestination' THEN 'table ' || coalesce(table_name, '?') || ' streamed'
                              ELSE event_name || ' copied ' || coalesce('table ' || table_name, 'data') END,
              CASE WHEN event_name = 'StartCopyJob' THEN ' by AWS Backup' ELSE '' END,
              coalesce(dest, '?'), coalesce(dest_account, 'not given'), table_account,
              CASE WHEN foreign_dest THEN '; destination not trusted' ELSE '' END,
              coalesce(' (session ' || arn_session(principal_arn) || ')', '')) AS detail,
       CASE WHEN NOT foreign_dest THEN 'low'
            WHEN error_code IS NOT NULL OR NOT is_ddb THEN 'medium'
            ELSE 'high' END AS severity,
       event_id AS group_key
FROM judged
WHERE event_name IN ('ExportTableToPointInTime', 'EnableKinesisStreamingDestination',
                     'UpdateKinesisStreamingDestination') OR foreign_dest
