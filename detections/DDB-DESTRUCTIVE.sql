-- id: DDB-DESTRUCTIVE
-- title: DynamoDB tables or backups deleted
-- severity: high
-- description: DeleteTable or DeleteBackup succeeded; critical when one principal deleted at
--   least mass_delete_tables tables within window_seconds. Destruction is the last step of
--   extortion and sabotage, and deleted backups remove the way back.
-- mitre: T1485, T1490
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
-- falsepositives: Tearing down test environments; use deletion protection on the rest.
WITH del AS (
  SELECT * FROM events
  WHERE event_source = 'dynamodb.amazonaws.com' AND error_code IS NULL
    AND event_name IN ('DeleteTable', 'DeleteBackup')
),
burst AS (
  SELECT d.principal_arn,
         max((SELECT count(DISTINCT x.table_name) FROM del x
              WHERE x.principal_arn IS d.principal_arn AND x.event_name = 'DeleteTable'
                AND x.event_ts BETWEEN d.event_ts AND d.event_ts + :window_seconds)) AS peak
  FROM del d GROUP BY d.principal_arn
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(d.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(d.event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       max(d.account_id) AS account_id,
       CASE WHEN count(DISTINCT d.aws_region) = 1 THEN max(d.aws_region) END AS aws_region,
       d.principal_arn,
       CASE WHEN count(DISTINCT d.access_key_id) = 1 THEN max(d.access_key_id) END AS access_key_id,
       CASE WHEN count(DISTINCT d.source_ip) = 1 THEN max(d.source_ip) END AS source_ip,
       CASE WHEN count(DISTINCT d.table_name) = 1 THEN max(d.table_name) END AS table_name,
       group_concat(DISTINCT d.event_name) AS event_names,
       group_concat(d.event_id) AS event_ids,
       printf('%d table(s) and %d backup(s) deleted: %s', sum(d.event_name = 'DeleteTable'),
              sum(d.event_name = 'DeleteBackup'), group_concat(DISTINCT d.table_name)) AS detail,
       CASE WHEN b.peak >= :mass_delete_tables THEN 'critical' END AS severity,
       coalesce(d.principal_arn, '') AS group_key
FROM del d JOIN burst b ON b.principal_arn IS d.principal_arn
GROUP BY d.principal_arn
