-- id: DDB-EXFIL-EXPORT
-- title: DynamoDB table exported to S3
-- severity: high
-- description: ExportTableToPointInTime copies a whole table to S3 in one call. High when the
--   bucket's owner is another account than the table's, or the bucket is not in
--   trusted_export_buckets; low otherwise, for the record.
-- mitre: T1537, T1530
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.HowItWorks.html
-- falsepositives: Analytics exports to a bucket not yet listed in trusted_export_buckets.
WITH x AS (
  SELECT e.*,
         json_extract(request_parameters, '$.s3Bucket') AS bucket,
         json_extract(request_parameters, '$.s3BucketOwner') AS owner,
         coalesce(arn_account(json_extract(request_parameters, '$.tableArn')),
                  recipient_account_id, account_id) AS table_account
  FROM events e
  WHERE event_source = 'dynamodb.amazonaws.com' AND event_name = 'ExportTableToPointInTime'
    AND error_code IS NULL
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, principal_arn, access_key_id, source_ip, table_name,
       event_name AS event_names, event_id AS event_ids,
       printf('table %s exported to s3://%s (bucket owner %s, table account %s)%s',
              coalesce(table_name, '?'), coalesce(bucket, '?'), coalesce(owner, 'not given'),
              table_account,
              CASE WHEN bucket IN (SELECT value FROM settings_list WHERE key = 'trusted_export_buckets')
                   THEN '' ELSE '; bucket not in trusted_export_buckets' END) AS detail,
       CASE WHEN (owner IS NOT NULL AND owner <> table_account)
                 OR bucket IS NULL
                 OR bucket NOT IN (SELECT value FROM settings_list WHERE key = 'trusted_export_buckets')
            THEN 'high' ELSE 'low' END AS severity,
       event_id AS group_key
FROM x
