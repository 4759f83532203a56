-- id: DDB-DESTRUCTIVE
-- title: DynamoDB tables or backups deleted
-- severity: high
-- description: A table, a replica of it or a backup was deleted (the catalogue's deletes-table and
--   deletes-backup: DeleteTable, an UpdateTable or UpdateGlobalTable removing a replica,
--   DeleteBackup; the backup's table is named from its ARN), or a table emptied item by item
--   without DeleteTable (deletes-items: DeleteItem, BatchWriteItem's deletes, TransactWriteItems'
--   deletes, PartiQL DELETE; each call counts the deletes it carries): at least
--   mass_delete_items items of one table deleted by one actor in a burst of calls less than
--   window_seconds apart (high; repeats on earlier days become routine). Tables: critical when one actor (a role whatever its session names, a user, a key) deleted at least
--   mass_delete_tables tables within window_seconds. Destruction is the last step of extortion
--   and sabotage, and deleted backups remove the way back. Deletions less than window_seconds
--   apart are one burst and one alert. AWS itself (AWS Backup expiring recovery points by
--   their lifecycle, service-linked roles) is left out.
-- effects: deletes-table, deletes-backup, deletes-items
-- mitre: T1485, T1490
-- stage: impact
-- story: tables deleted
-- routine: yes
-- cost: heavy
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
-- falsepositives: Tearing down test environments; use deletion protection on the rest.
WITH del AS MATERIALIZED (
  SELECT event_id, event_ts, event_name, kind, table_name, actor_arn, principal_arn, account_id,
         aws_region, access_key_id, source_ip, invoked_by,
         sum(fresh) OVER (PARTITION BY actor_arn ORDER BY event_ts, event_id
                          ROWS UNBOUNDED PRECEDING) AS burst
  FROM (SELECT e.event_id, e.event_ts, e.event_name, x.effect AS kind, e.table_name, e.actor_arn,
               e.principal_arn, e.account_id, e.aws_region, e.access_key_id, e.source_ip,
               e.invoked_by,
               coalesce(e.event_ts - lag(e.event_ts) OVER (PARTITION BY e.actor_arn
                                                           ORDER BY e.event_ts, e.event_id)
                        > :window_seconds, 1) AS fresh
        FROM event_effects x JOIN events e ON e.event_id = x.event_id
        WHERE x.effect IN ('deletes-table', 'deletes-backup') AND e.error_code IS NULL
          AND e.actor_kind IS NOT 'aws-service'
          -- AWS Backup's recovery points are DDB-BACKUP-TAMPER's (one alert per vault)
          AND e.event_source <> 'backup.amazonaws.com')
),
drops AS (
  SELECT actor_arn, burst, table_name, event_ts,
         coalesce(event_ts - lag(event_ts) OVER (PARTITION BY actor_arn, burst, table_name
                                                 ORDER BY event_ts) > :window_seconds, 1) AS fresh
  FROM del WHERE kind = 'deletes-table' AND table_name IS NOT NULL
),
spans AS MATERIALIZED (
  SELECT actor_arn, burst, min(event_ts) - :window_seconds AS s, max(event_ts) + 1 AS e
  FROM (SELECT actor_arn, burst, table_name, event_ts,
               sum(fresh) OVER (PARTITION BY actor_arn, burst, table_name ORDER BY event_ts
                                ROWS UNBOUNDED PRECEDING) AS span
        FROM drops)
  GROUP BY actor_arn, burst, table_name, span
),
steps AS (
  SELECT actor_arn, burst, sum(sum(dt)) OVER (PARTITION BY actor_arn, burst ORDER BY t
                                               ROWS UNBOUNDED PRECEDING) AS tables
  FROM (SELECT actor_arn, burst, s AS t, 1 AS dt FROM spans
        UNION ALL SELECT actor_arn, burst, e, -1 FROM spans)
  GROUP BY actor_arn, burst, t
),
peaks AS (
  -- the most tables the actor deleted within any window of the burst (DDB-RECON's sweep)
  SELECT actor_arn, burst, max(tables) AS peak FROM steps GROUP BY actor_arn, burst
),
deleting AS MATERIALIZED (
  SELECT e.event_id, e.event_ts, e.event_name, e.table_name, e.actor_arn, e.principal_arn,
         e.account_id, e.aws_region, e.access_key_id, e.source_ip, e.invoked_by
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'deletes-items' AND e.error_code IS NULL AND e.actor_kind IS NOT 'aws-service'
),
dels AS MATERIALIZED (
  -- each call's deletes, by the table each names, as the catalogue's judgement sized them
  -- (event_items: CloudTrail's requestItems list, the API's table map, transactions, PartiQL
  -- DELETE statements, single DeleteItem calls)
  SELECT d.*, i.tbl, i.items AS n
  FROM deleting d JOIN event_items i ON i.event_id = d.event_id AND i.op = 'delete'
),
enough AS MATERIALIZED (
  -- only an actor and table with enough deletes in all can hold a wipe: the windows below
  -- are built for those alone
  SELECT actor_arn, tbl, account_id, aws_region FROM dels
  WHERE tbl IS NOT NULL AND n > 0
  GROUP BY actor_arn, tbl, account_id, aws_region
  HAVING sum(n) >= coalesce((SELECT max(t.value) FROM settings_actor t
                             WHERE t.key = 'mass_delete_items' AND actor_arn GLOB t.actor),
                            :mass_delete_items)
),
wipes AS (
  -- a call deleting from a table twice is two rows at one time: the second is never fresh
  SELECT d.event_id, d.event_ts, d.event_name, d.tbl AS table_name, d.actor_arn,
         d.principal_arn, d.account_id, d.aws_region, d.access_key_id, d.source_ip,
         d.invoked_by, d.n AS items,
         coalesce(d.event_ts - lag(d.event_ts) OVER (PARTITION BY d.actor_arn, d.tbl,
                                                     d.account_id, d.aws_region
                                                     ORDER BY d.event_ts, d.event_id)
                  > :window_seconds, 1) AS fresh
  FROM dels d JOIN enough g ON g.actor_arn IS d.actor_arn AND g.tbl = d.tbl
                           AND g.account_id IS d.account_id AND g.aws_region IS d.aws_region
  WHERE d.n > 0
),
wipe_bursts AS (
  SELECT *, sum(fresh) OVER (PARTITION BY actor_arn, table_name, account_id, aws_region
                             ORDER BY event_ts, event_id ROWS UNBOUNDED PRECEDING) AS burst
  FROM wipes
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(DISTINCT event_id) AS event_count, account_id, aws_region,
       actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id, sole(source_ip) AS source_ip, table_name,
       id_list(event_name, event_ts) AS event_names, id_list(event_id, event_ts) AS event_ids,
       printf('%d item(s) deleted from table %s in %d call(s), without deleting the table%s',
              sum(items), table_name, count(DISTINCT event_id),
              CASE WHEN count(DISTINCT principal_arn) > 1
                   THEN '; sessions: ' || id_list(arn_session(principal_arn), event_ts)
                   ELSE '' END)
         || coalesce('; through ' || id_list(invoked_by, event_ts), '') AS detail,
       table_name AS tables,
       NULL AS severity,
       json_array(actor_arn, min(event_ts), 'items', table_name, account_id, aws_region)
         AS group_key
FROM wipe_bursts
GROUP BY actor_arn, table_name, account_id, aws_region, burst
HAVING sum(items) >= coalesce((SELECT max(t.value) FROM settings_actor t
                               WHERE t.key = 'mass_delete_items' AND actor_arn GLOB t.actor),
                              :mass_delete_items)
UNION ALL
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(d.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(d.event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       max(d.account_id) AS account_id,
       sole(d.aws_region) AS aws_region,
       d.actor_arn AS principal_arn,
       sole(d.access_key_id) AS access_key_id,
       sole(d.source_ip) AS source_ip,
       sole(d.table_name) AS table_name,
       id_list(d.event_name, d.event_ts) AS event_names,
       id_list(d.event_id, d.event_ts) AS event_ids,
       printf('%d table(s) and %d backup(s) deleted: %s%s', sum(d.kind = 'deletes-table'),
              sum(d.kind = 'deletes-backup'),
              coalesce(id_list(d.table_name, d.event_ts, ', '), '?'),
              CASE WHEN count(DISTINCT d.principal_arn) > 1
                   THEN '; sessions: ' || id_list(arn_session(d.principal_arn), d.event_ts)
                   ELSE '' END)
         || coalesce('; through ' || id_list(d.invoked_by, d.event_ts), '') AS detail,
       id_list(d.table_name, d.event_ts) AS tables,
       CASE WHEN p.peak >= coalesce((SELECT max(t.value) FROM settings_actor t WHERE t.key = 'mass_delete_tables' AND d.actor_arn GLOB t.actor), :mass_delete_tables) THEN 'critical' END AS severity,
       json_array(d.actor_arn, min(d.event_ts)) AS group_key
FROM del d LEFT JOIN peaks p ON p.actor_arn IS d.actor_arn AND p.burst = d.burst
GROUP BY d.actor_arn, d.burst
