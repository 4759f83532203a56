-- id: DDB-RECON
-- title: DynamoDB reconnaissance
-- severity: medium
-- description: One actor (a role whatever session names it used, a user, a key) described or
--   listed at least recon_tables distinct tables within window_seconds, or collected at least
--   denied_calls access-denied errors from DynamoDB in the window. Stolen credentials are
--   first used to find out what they can reach. Each burst is its own alert; AWS itself
--   (service identities and service-linked roles, e.g. AWS Backup or Config inventory) is left
--   out.
-- mitre: T1526, T1580
-- stage: discovery
-- story: recon of tables
-- routine: yes
-- cost: heavy
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/logging-using-cloudtrail.html
-- falsepositives: Inventory and CSPM tools; give them their own role and exclude it.
-- How: a window of window_seconds starting at t sees table T when some describe/list call on
--   T lies in [t, t + window]. Calls on one table no more than a window apart merge into one
--   span, so each table counts once; a sweep over the span edges gives, for every t, the
--   number of tables (and of denials) in the window: O(n log n) over the candidate calls.
--   Bursts of one actor are disjoint and ordered, so a second sweep over burst starts and
--   calls gives each call its burst (a join of bursts and calls was O(bursts x calls): 21 s
--   of a 2 000 000-event detect).
WITH d AS MATERIALIZED (
  SELECT event_id, event_ts, event_name, table_name, error_code, actor_arn, principal_arn,
         account_id, aws_region, access_key_id, source_ip,
         (event_name GLOB 'Describe*' OR event_name GLOB 'List*') AS recon,
         coalesce(error_code IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation',
                                 'UnrecognizedClientException'), 0) AS denied
  FROM events NOT INDEXED
  WHERE event_source = 'dynamodb.amazonaws.com' AND actor_arn IS NOT NULL
    AND actor_kind IS NOT 'aws-service'
    AND (event_name GLOB 'Describe*' OR event_name GLOB 'List*'
         OR error_code IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation',
                           'UnrecognizedClientException'))
),
calls AS (
  SELECT actor_arn, table_name, event_ts,
         coalesce(event_ts - lag(event_ts) OVER (PARTITION BY actor_arn, table_name
                                                 ORDER BY event_ts) > :window_seconds, 1) AS fresh
  FROM d WHERE recon AND table_name IS NOT NULL
),
spans AS MATERIALIZED (
  SELECT actor_arn, min(event_ts) - :window_seconds AS s, max(event_ts) + 1 AS e
  FROM (SELECT actor_arn, table_name, event_ts,
               sum(fresh) OVER (PARTITION BY actor_arn, table_name ORDER BY event_ts
                                ROWS UNBOUNDED PRECEDING) AS span
        FROM calls)
  GROUP BY actor_arn, table_name, span
),
edges AS (
  SELECT actor_arn, s AS t, 1 AS dt, 0 AS dd FROM spans
  UNION ALL SELECT actor_arn, e, -1, 0 FROM spans
  UNION ALL SELECT actor_arn, event_ts - :window_seconds, 0, 1 FROM d WHERE denied
  UNION ALL SELECT actor_arn, event_ts + 1, 0, -1 FROM d WHERE denied
),
steps AS (
  -- tables and denials seen by a window starting anywhere in [t, next_t)
  SELECT actor_arn, t, lead(t) OVER (PARTITION BY actor_arn ORDER BY t) AS next_t,
         sum(sum(dt)) OVER running AS tables, sum(sum(dd)) OVER running AS denied
  FROM edges GROUP BY actor_arn, t
  WINDOW running AS (PARTITION BY actor_arn ORDER BY t ROWS UNBOUNDED PRECEDING)
),
hot AS (
  -- hot windows whose reach overlaps are one burst (as in DDB-MASS-SCAN)
  SELECT actor_arn, t, next_t - 1 + :window_seconds AS reach, tables, denied,
         max(next_t - 1 + :window_seconds) OVER (PARTITION BY actor_arn ORDER BY t
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_reach
  FROM steps WHERE tables >= coalesce((SELECT max(t.value) FROM settings_actor t WHERE t.key = 'recon_tables' AND steps.actor_arn GLOB t.actor), :recon_tables)
                 OR denied >= coalesce((SELECT max(t.value) FROM settings_actor t WHERE t.key = 'denied_calls' AND steps.actor_arn GLOB t.actor), :denied_calls)
),
bursts AS MATERIALIZED (
  SELECT actor_arn, min(t) AS t0, max(reach) AS t1, max(tables) AS peak_tables,
         max(denied) AS peak_denied
  FROM (SELECT *, sum(prev_reach IS NULL OR t > prev_reach)
                    OVER (PARTITION BY actor_arn ORDER BY t ROWS UNBOUNDED PRECEDING) AS burst
        FROM hot)
  GROUP BY actor_arn, burst
),
marks AS (
  -- a burst start sorts before a call at the same second; the latest start and end so far
  -- are the burst a call may belong to
  SELECT *, max(b0) OVER w AS t0, max(b1) OVER w AS t1
  FROM (SELECT actor_arn, t0 AS event_ts, 0 AS kind, t0 AS b0, t1 AS b1, NULL AS event_id, NULL AS event_name, NULL AS table_name, NULL AS error_code,
               NULL AS principal_arn, NULL AS account_id, NULL AS aws_region,
               NULL AS access_key_id, NULL AS source_ip
        FROM bursts
        UNION ALL
        SELECT actor_arn, event_ts, 1, NULL, NULL, event_id, event_name, table_name,
               error_code, principal_arn, account_id, aws_region, access_key_id, source_ip
        FROM d)
  WINDOW w AS (PARTITION BY actor_arn ORDER BY event_ts, kind ROWS UNBOUNDED PRECEDING)
),
inside AS (
  -- the calls inside a burst, by eventID within it (as event_ids lists them)
  SELECT * FROM marks WHERE kind = 1 AND event_ts <= t1 ORDER BY actor_arn, t0, event_id
),
found AS (
  SELECT actor_arn, t0, min(event_ts) AS first_ts, max(event_ts) AS last_ts, count(*) AS n,
         max(account_id) AS account_id, sole(aws_region) AS aws_region,
         sole(access_key_id) AS access_key_id, sole(source_ip) AS source_ip,
         group_concat(DISTINCT event_name) AS event_names, id_list(event_id) AS event_ids,
         sum(event_name GLOB 'Describe*' OR event_name GLOB 'List*') AS calls,
         count(DISTINCT table_name) AS tables, sum(error_code IS NOT NULL) AS errors,
         count(DISTINCT principal_arn) AS sessions,
         id_list(DISTINCT arn_session(principal_arn)) AS session_names
  FROM inside GROUP BY actor_arn, t0
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', f.first_ts, 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', f.last_ts, 'unixepoch') AS last_seen,
       f.n AS event_count,
       f.account_id,
       f.aws_region,
       f.actor_arn AS principal_arn,
       f.access_key_id,
       f.source_ip,
       NULL AS table_name,
       f.event_names,
       f.event_ids,
       printf('%d describe/list calls over %d table(s), %d access-denied error(s); peak %d tables and %d denials within %d s%s',
              f.calls, f.tables, f.errors, h.peak_tables, h.peak_denied, :window_seconds,
              CASE WHEN f.sessions > 1 THEN '; sessions: ' || f.session_names ELSE '' END)
         AS detail,
       json_array(f.actor_arn, h.t0) AS group_key
FROM found f JOIN bursts h ON h.actor_arn IS f.actor_arn AND h.t0 = f.t0
