-- id: DDB-DESTRUCTIVE
-- title: DynamoDB tables or backups deleted
-- severity: high
-- description: DeleteTable or DeleteBackup succeeded; critical when one principal deleted at
--   least mass_delete_tables tables within window_seconds. Destruction is the last step of
--   extortion and sabotage, and deleted backups remove the way back.
-- mitre: T1485, T1490
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
-- falsepositives: Tearing down test environments; use deletion protection on the rest.
WITH del AS MATERIALIZED (
  SELECT event_id, event_ts, event_name, table_name, principal_arn, account_id, aws_region,
         access_key_id, source_ip
  FROM events
  WHERE event_source = 'dynamodb.amazonaws.com' AND error_code IS NULL
    AND event_name IN ('DeleteTable', 'DeleteBackup')
),
drops AS (
  SELECT principal_arn, table_name, event_ts,
         coalesce(event_ts - lag(event_ts) OVER (PARTITION BY principal_arn, table_name
                                                 ORDER BY event_ts) > :window_seconds, 1) AS fresh
  FROM del WHERE event_name = 'DeleteTable' AND table_name IS NOT NULL
),
spans AS MATERIALIZED (
  SELECT principal_arn, min(event_ts) - :window_seconds AS s, max(event_ts) + 1 AS e
  FROM (SELECT principal_arn, table_name, event_ts,
               sum(fresh) OVER (PARTITION BY principal_arn, table_name ORDER BY event_ts
                                ROWS UNBOUNDED PRECEDING) AS span
        FROM drops)
  GROUP BY principal_arn, table_name, span
),
steps AS (
  SELECT principal_arn, sum(sum(dt)) OVER (PARTITION BY principal_arn ORDER BY t
                                            ROWS UNBOUNDED PRECEDING) AS tables
  FROM (SELECT principal_arn, s AS t, 1 AS dt FROM spans
        UNION ALL SELECT principal_arn, e, -1 FROM spans)
  GROUP BY principal_arn, t
),
burst AS (
  -- the most tables one principal deleted within any window (the sweep of DDB-RECON)
  SELECT principal_arn, max(tables) AS peak FROM steps GROUP BY principal_arn
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(d.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(d.event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       max(d.account_id) AS account_id,
       sole(d.aws_region) AS aws_region,
       d.principal_arn,
       sole(d.access_key_id) AS access_key_id,
       sole(d.source_ip) AS source_ip,
       sole(d.table_name) AS table_name,
       group_concat(DISTINCT d.event_name) AS event_names,
       id_list(d.event_id) AS event_ids,
       printf('%d table(s) and %d backup(s) deleted: %s', sum(d.event_name = 'DeleteTable'),
              sum(d.event_name = 'DeleteBackup'), group_concat(DISTINCT d.table_name)) AS detail,
       CASE WHEN b.peak >= :mass_delete_tables THEN 'critical' END AS severity,
       coalesce(d.principal_arn, '') AS group_key
FROM del d LEFT JOIN burst b ON b.principal_arn IS d.principal_arn
GROUP BY d.principal_arn
