-- id: DDB-MASS-SCAN
-- title: Mass read of DynamoDB tables (possible exfiltration)
-- severity: high
-- description: One principal made at least mass_scan_calls bulk reads (Scan, BatchGetItem, a
--   PartiQL SELECT without WHERE) within window_seconds, or scanned at least mass_scan_tables
--   distinct tables within it. The window slides from every call, so a burst is found
--   whatever the clock says. Applications query by key; dumping whole tables is how data is
--   stolen.
-- mitre: T1530, T1119
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
-- falsepositives: Analytics or migration jobs; run them under a dedicated role and tune the
--   thresholds.
-- How: as in DDB-RECON, a sweep over window edges (each call counts in the windows starting
--   up to window_seconds before it; scans of one table merge into spans) finds the busiest
--   window in O(n log n), so a million scans by one role cost seconds, not hours.
WITH bulk AS MATERIALIZED (
  SELECT event_id, event_ts, principal_arn, account_id, aws_region, access_key_id, source_ip,
         table_name, event_name
  FROM events
  WHERE event_source = 'dynamodb.amazonaws.com' AND error_code IS NULL
    AND (event_name IN ('Scan', 'BatchGetItem')
         OR (event_name = 'ExecuteStatement'
             AND json_extract(request_parameters, '$.statement') REGEXP '(?i)^\s*select\b'
             AND NOT json_extract(request_parameters, '$.statement') REGEXP '(?i)\bwhere\b'))
),
scans AS (
  SELECT principal_arn, table_name, event_ts,
         coalesce(event_ts - lag(event_ts) OVER (PARTITION BY principal_arn, table_name
                                                 ORDER BY event_ts) > :window_seconds, 1) AS fresh
  FROM bulk WHERE event_name = 'Scan' AND table_name IS NOT NULL
),
spans AS MATERIALIZED (
  SELECT principal_arn, min(event_ts) - :window_seconds AS s, max(event_ts) + 1 AS e
  FROM (SELECT principal_arn, table_name, event_ts,
               sum(fresh) OVER (PARTITION BY principal_arn, table_name ORDER BY event_ts
                                ROWS UNBOUNDED PRECEDING) AS span
        FROM scans)
  GROUP BY principal_arn, table_name, span
),
edges AS (
  SELECT principal_arn, s AS t, 1 AS dt, 0 AS dc FROM spans
  UNION ALL SELECT principal_arn, e, -1, 0 FROM spans
  UNION ALL SELECT principal_arn, event_ts - :window_seconds, 0, 1 FROM bulk
  UNION ALL SELECT principal_arn, event_ts + 1, 0, -1 FROM bulk
),
steps AS (
  -- calls and scanned tables seen by a window starting anywhere in [t, next_t)
  SELECT principal_arn, t, lead(t) OVER (PARTITION BY principal_arn ORDER BY t) AS next_t,
         sum(sum(dt)) OVER running AS tables, sum(sum(dc)) OVER running AS calls
  FROM edges GROUP BY principal_arn, t
  WINDOW running AS (PARTITION BY principal_arn ORDER BY t ROWS UNBOUNDED PRECEDING)
),
hot AS (
  SELECT principal_arn, min(t) AS t0, max(next_t) - 1 + :window_seconds AS t1,
         max(calls) AS peak_calls, max(tables) AS peak_tables
  FROM steps
  WHERE calls >= :mass_scan_calls OR tables >= :mass_scan_tables
  GROUP BY principal_arn
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(b.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(b.event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       max(b.account_id) AS account_id,
       sole(b.aws_region) AS aws_region,
       b.principal_arn,
       sole(b.access_key_id) AS access_key_id,
       sole(b.source_ip) AS source_ip,
       sole(b.table_name) AS table_name,
       group_concat(DISTINCT b.event_name) AS event_names,
       id_list(b.event_id) AS event_ids,
       printf('%d bulk reads over %d table(s); peak %d calls and %d tables scanned within %d s',
              count(*), count(DISTINCT b.table_name), h.peak_calls, h.peak_tables,
              :window_seconds) AS detail,
       coalesce(b.principal_arn, '') AS group_key
FROM hot h JOIN bulk b ON b.principal_arn IS h.principal_arn AND b.event_ts BETWEEN h.t0 AND h.t1
GROUP BY b.principal_arn
