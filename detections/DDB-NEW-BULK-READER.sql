-- id: DDB-NEW-BULK-READER
-- title: A bulk reader with no precedent in the store's history
-- severity: medium
-- description: An actor's bulk reads of one table in one UTC day that its own history does
--   not explain: at least new_reader_calls bulk reads (a Scan page other than a first look of
--   at most scan_page_limit items, a PartiQL SELECT that pins no key, a stream read, a batch
--   of at least batch_read_items key lookups, which reads each of its tables), and
--   either the actor never bulk-read that table on an earlier day, or the day holds more than
--   new_reader_factor times its busiest earlier day. Judged only when the store holds at
--   least history_days earlier days of that account and region, so a first download is not
--   "new". A reader that stays under every hourly threshold of DDB-MASS-SCAN for days is
--   still seen on its first day, and a slow reader that suddenly copies a table on its tenth.
--   The detail says what the history holds and bounds the items: the sum of the calls' Limit
--   (or of the keys a batch names) when every call says one, else pages of up to 1 MB each
--   (CloudTrail logs calls, not the items they returned). AWS services are left out. Elastic ships first-seen Scan; this is
--   its volume-aware form.
-- effects: scans-items, reads-stream
-- mitre: T1530, T1213
-- stage: collection
-- story: new bulk reader
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
-- falsepositives: A new analytics job, a one-off migration (suppress its role with a reason).
WITH batches AS MATERIALIZED (
  -- calls that look up at least batch_read_items items by key at once (event_items)
  -- (NOT INDEXED: the few batch rows are picked first, then grouped; walking the index
  -- of every item-level call costs fifteen times as much)
  SELECT event_id FROM event_items NOT INDEXED
  WHERE op = 'read'
    AND basis IN ('requestItems entries', 'keys listed', 'transactItems entries', 'statement')
  GROUP BY event_id HAVING sum(items) >= :batch_read_items
),
reading AS MATERIALIZED (
  SELECT e.event_id, e.event_ts, e.event_name, e.actor_arn, e.principal_arn, e.account_id,
         e.aws_region, e.access_key_id, e.source_ip, e.table_name, e.request_parameters
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect IN ('scans-items', 'reads-stream') AND e.error_code IS NULL
    AND e.actor_kind IS NOT 'aws-service' AND e.table_name IS NOT NULL
  GROUP BY e.event_id
),
keyless AS MATERIALIZED (
  SELECT r.event_id, r.event_ts, r.event_name, r.actor_arn, r.principal_arn, r.account_id,
         r.aws_region, r.access_key_id, r.source_ip, r.table_name, r.event_ts / 86400 AS day,
         CASE WHEN r.event_name = 'Scan' THEN json_extract(r.request_parameters, '$.limit') END
           AS lim
  FROM reading r
  WHERE (r.event_name = 'Scan'
         AND NOT (coalesce(json_extract(r.request_parameters, '$.limit') <= :scan_page_limit, 0)
                  AND json_type(r.request_parameters, '$.exclusiveStartKey') IS NULL))
     OR r.event_name IN ('GetRecords')
     OR (r.event_name IN ('ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction')
         AND EXISTS (SELECT 1 FROM json_tree(r.request_parameters) t
                     WHERE t.key = 'statement' AND t.type = 'text'
                       AND partiql_bulk(t.atom, NULL)))
),
bulk AS (
  SELECT * FROM keyless
  UNION ALL
  -- a big batch (not already a keyless read) is a bulk read of each table it reads, bounded
  -- by the keys it names there
  SELECT e.event_id, e.event_ts, e.event_name, e.actor_arn, e.principal_arn, e.account_id,
         e.aws_region, e.access_key_id, e.source_ip, i.tbl, e.event_ts / 86400, sum(i.items)
  FROM batches b JOIN events e ON e.event_id = b.event_id
       JOIN event_items i ON i.event_id = b.event_id AND i.op = 'read'
  WHERE e.error_code IS NULL AND e.actor_kind IS NOT 'aws-service' AND i.tbl IS NOT NULL
    AND b.event_id NOT IN (SELECT event_id FROM keyless)
  GROUP BY e.event_id, i.tbl
),
daily AS MATERIALIZED (
  SELECT actor_arn, account_id, aws_region, table_name, day, count(*) AS calls,
         sum(event_name = 'Scan') AS scans, sum(lim) AS limit_sum, count(lim) AS limited,
         max(count(*)) OVER earlier AS prior_max, count(*) OVER earlier AS prior_days,
         min(day) OVER (PARTITION BY actor_arn, account_id, aws_region, table_name) AS first_day
  FROM bulk
  GROUP BY actor_arn, account_id, aws_region, table_name, day
  WINDOW earlier AS (PARTITION BY actor_arn, account_id, aws_region, table_name ORDER BY day
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
history AS MATERIALIZED (
  -- the days the store holds of each account and region, whoever was reading
  SELECT DISTINCT account_id, aws_region, event_ts / 86400 AS day FROM events NOT INDEXED
  WHERE event_source = 'dynamodb.amazonaws.com'
),
judged AS (
  SELECT d.*,
         (SELECT count(*) FROM history h
          WHERE h.account_id IS d.account_id AND h.aws_region IS d.aws_region AND h.day < d.day)
           AS hist_days
  FROM daily d
  WHERE d.calls >= :new_reader_calls
    AND (d.prior_days = 0 OR d.calls > :new_reader_factor * d.prior_max)
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(b.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(b.event_ts), 'unixepoch') AS last_seen,
       j.calls AS event_count, j.account_id, j.aws_region, j.actor_arn AS principal_arn,
       sole(b.access_key_id) AS access_key_id, sole(b.source_ip) AS source_ip, j.table_name,
       id_list(b.event_name, b.event_ts) AS event_names,
       id_list(b.event_id, b.event_ts) AS event_ids,
       printf('%d bulk read(s) of %s on %s, %s; history: %d earlier day(s) of %s %s, %s',
              j.calls, j.table_name, date(j.day * 86400, 'unixepoch'),
              CASE WHEN j.limited = j.calls AND j.scans = j.calls
                   THEN printf('at most %d item(s) (the sum of their Limit)', j.limit_sum)
                   WHEN j.limited = j.calls
                   THEN printf('at most %d item(s) (the sum of their Limit and keys)', j.limit_sum)
                   ELSE printf('up to %d page(s) of at most 1 MB', j.calls) END,
              j.hist_days, j.account_id, j.aws_region,
              CASE WHEN j.prior_days = 0
                   THEN 'in which this actor never bulk-read this table'
                   ELSE printf('in which its busiest day held %d (%d day(s) with bulk reads)',
                               j.prior_max, j.prior_days) END)
       || CASE WHEN count(DISTINCT b.principal_arn) > 1
               THEN '; sessions: ' || id_list(arn_session(b.principal_arn), b.event_ts) ELSE '' END
         AS detail,
       json_array(j.actor_arn, j.account_id, j.aws_region, j.table_name, j.day) AS group_key
FROM judged j
     JOIN bulk b ON b.actor_arn IS j.actor_arn AND b.account_id IS j.account_id
                AND b.aws_region IS j.aws_region AND b.table_name = j.table_name AND b.day = j.day
WHERE j.hist_days >= :history_days
GROUP BY j.actor_arn, j.account_id, j.aws_region, j.table_name, j.day
