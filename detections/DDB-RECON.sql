-- id: DDB-RECON
-- title: DynamoDB reconnaissance
-- severity: medium
-- description: One principal described or listed at least recon_tables distinct tables within
--   window_seconds, or collected at least denied_calls access-denied errors from DynamoDB
--   in the window. Stolen credentials are first used to find out what they can reach.
-- mitre: T1526, T1580
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html
-- falsepositives: Inventory and CSPM tools; give them their own role and exclude it.
WITH d AS (
  SELECT * FROM events
  WHERE event_source = 'dynamodb.amazonaws.com'
    AND (event_name GLOB 'Describe*' OR event_name GLOB 'List*'
         OR error_code IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation',
                           'UnrecognizedClientException'))
),
-- only principals that could reach a threshold at all are looked at closely
suspects AS (
  SELECT principal_arn FROM d GROUP BY principal_arn
  HAVING count(DISTINCT table_name) >= :recon_tables OR sum(error_code IS NOT NULL) >= :denied_calls
),
w AS MATERIALIZED (
  SELECT d.principal_arn, d.event_ts,
         (SELECT count(DISTINCT x.table_name) FROM events x
          WHERE x.principal_arn = d.principal_arn
            AND x.event_ts BETWEEN d.event_ts AND d.event_ts + :window_seconds
            AND x.event_source = 'dynamodb.amazonaws.com' AND x.table_name IS NOT NULL
            AND (x.event_name GLOB 'Describe*' OR x.event_name GLOB 'List*')) AS tables,
         (SELECT count(*) FROM events x
          WHERE x.principal_arn = d.principal_arn
            AND x.event_ts BETWEEN d.event_ts AND d.event_ts + :window_seconds
            AND x.event_source = 'dynamodb.amazonaws.com'
            AND x.error_code IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation',
                                 'UnrecognizedClientException')) AS denied
  FROM d JOIN suspects s ON s.principal_arn = d.principal_arn
),
hot AS (
  SELECT principal_arn, min(event_ts) AS t0, max(event_ts) + :window_seconds AS t1,
         max(tables) AS peak_tables, max(denied) AS peak_denied
  FROM w WHERE tables >= :recon_tables OR denied >= :denied_calls
  GROUP BY principal_arn
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(d.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(d.event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       max(d.account_id) AS account_id,
       CASE WHEN count(DISTINCT d.aws_region) = 1 THEN max(d.aws_region) END AS aws_region,
       d.principal_arn,
       CASE WHEN count(DISTINCT d.access_key_id) = 1 THEN max(d.access_key_id) END AS access_key_id,
       CASE WHEN count(DISTINCT d.source_ip) = 1 THEN max(d.source_ip) END AS source_ip,
       NULL AS table_name,
       group_concat(DISTINCT d.event_name) AS event_names,
       group_concat(d.event_id) AS event_ids,
       printf('%d describe/list calls over %d table(s), %d access-denied error(s); peak %d tables and %d denials within %d s',
              sum(d.event_name GLOB 'Describe*' OR d.event_name GLOB 'List*'),
              count(DISTINCT d.table_name), sum(d.error_code IS NOT NULL),
              h.peak_tables, h.peak_denied, :window_seconds) AS detail,
       coalesce(d.principal_arn, '') AS group_key
FROM hot h JOIN d ON d.principal_arn IS h.principal_arn AND d.event_ts BETWEEN h.t0 AND h.t1
GROUP BY d.principal_arn
