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
WITH bulk AS (
  SELECT event_id, event_ts, principal_arn, account_id, aws_region, access_key_id, source_ip,
         table_name, event_name
  FROM events
  WHERE event_source = 'dynamodb.amazonaws.com' AND error_code IS NULL
    AND (event_name IN ('Scan', 'BatchGetItem')
         OR (event_name = 'ExecuteStatement'
             AND json_extract(request_parameters, '$.statement') REGEXP '(?i)^\s*select\b'
             AND NOT json_extract(request_parameters, '$.statement') REGEXP '(?i)\bwhere\b'))
),
win AS (
  SELECT b.*,
         count(*) OVER (PARTITION BY principal_arn ORDER BY event_ts
                        RANGE BETWEEN CURRENT ROW AND :window_seconds FOLLOWING) AS calls,
         (SELECT count(DISTINCT s.table_name) FROM bulk s
          WHERE s.principal_arn IS b.principal_arn AND s.event_name = 'Scan'
            AND s.event_ts BETWEEN b.event_ts AND b.event_ts + :window_seconds) AS tables
  FROM bulk b
),
hot AS (
  SELECT principal_arn, min(event_ts) AS t0, max(event_ts) + :window_seconds AS t1,
         max(calls) AS peak_calls, max(tables) AS peak_tables
  FROM win
  WHERE calls >= :mass_scan_calls OR tables >= :mass_scan_tables
  GROUP BY principal_arn
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(b.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(b.event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       max(b.account_id) AS account_id,
       CASE WHEN count(DISTINCT b.aws_region) = 1 THEN max(b.aws_region) END AS aws_region,
       b.principal_arn,
       CASE WHEN count(DISTINCT b.access_key_id) = 1 THEN max(b.access_key_id) END AS access_key_id,
       CASE WHEN count(DISTINCT b.source_ip) = 1 THEN max(b.source_ip) END AS source_ip,
       CASE WHEN count(DISTINCT b.table_name) = 1 THEN max(b.table_name) END AS table_name,
       group_concat(DISTINCT b.event_name) AS event_names,
       group_concat(b.event_id) AS event_ids,
       printf('%d bulk reads over %d table(s); peak %d calls and %d tables scanned within %d s',
              count(*), count(DISTINCT b.table_name), h.peak_calls, h.peak_tables,
              :window_seconds) AS detail,
       coalesce(b.principal_arn, '') AS group_key
FROM hot h JOIN bulk b ON b.principal_arn IS h.principal_arn AND b.event_ts BETWEEN h.t0 AND h.t1
GROUP BY b.principal_arn
