-- id: DDB-MASS-SCAN
-- title: Mass read of DynamoDB tables (possible exfiltration)
-- severity: high
-- description: One actor (a role, whatever session names it used; a user; a key) made at least
--   mass_scan_calls bulk reads within window_seconds, or bulk-read at least mass_scan_tables
--   distinct tables within it. A bulk read is a copy by volume, whatever the call is named.
--   Without the keys: Scan; a PartiQL SELECT (ExecuteStatement, BatchExecuteStatement,
--   ExecuteTransaction) that does not pin the partition key (learnt from CreateTable and
--   DescribeTable, else any "attr = value" / "attr IN (...)"; OR, NOT, begins_with,
--   attribute_exists, <> stay scans); draining a stream (GetShardIterator from
--   TRIM_HORIZON or AT_SEQUENCE_NUMBER, then its GetRecords). With them: a batch of at least
--   batch_read_items key lookups in one call (BatchGetItem, TransactGetItems, a PartiQL list
--   of keyed SELECTs, sized by the store's item estimates), each table it reads counting.
--   Each burst is its own alert.
--   AWS itself (service identities and service-linked roles: DAX, Glue, Backup reading
--   tables) is left out; a user or role scanning through a service is not AWS itself.
--   A Scan's first page of at most scan_page_limit items (a Limit, no exclusiveStartKey: the
--   console opening a table) is not a bulk read; paging on through a table is.
-- effects: scans-items, reads-stream
-- mitre: T1530, T1119
-- stage: collection
-- story: mass scan
-- routine: yes
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
-- falsepositives: Analytics or migration jobs; run them under a dedicated role and raise its
--   thresholds with actor_thresholds (repeats on earlier days also become routine). A service
--   that batch-reads full batches of many tables all day: raise batch_read_items.
-- How: a sweep over window edges (each call counts in the windows starting up to
--   window_seconds before it; reads of one table merge into spans) gives every window's calls
--   and tables in O(n log n). Hot windows whose reach overlaps form one burst.
WITH keys AS MATERIALIZED (
  -- partition keys as the store knows them: CreateTable's request, Create/DescribeTable's
  -- reply; a table is (account, region, name)
  SELECT account_id, aws_region, table_name, max(pk) AS pk FROM (
    SELECT e.account_id, e.aws_region, e.table_name, json_extract(k.value, '$.attributeName') AS pk
    FROM events e, json_each(e.request_parameters, '$.keySchema') k
    WHERE e.event_name = 'CreateTable' AND e.event_source = 'dynamodb.amazonaws.com'
      AND json_extract(k.value, '$.keyType') = 'HASH'
    UNION ALL
    SELECT e.account_id, e.aws_region, e.table_name, json_extract(k.value, '$.attributeName')
    FROM events e,
         json_each(coalesce(json_extract(e.response_elements, '$.table.keySchema'),
                            json_extract(e.response_elements, '$.tableDescription.keySchema'))) k
    WHERE e.event_name IN ('DescribeTable', 'CreateTable')
      AND e.event_source = 'dynamodb.amazonaws.com'
      AND json_extract(k.value, '$.keyType') = 'HASH')
  GROUP BY account_id, aws_region, table_name
),
drains AS MATERIALIZED (
  -- tables whose stream an actor opened from its start
  SELECT DISTINCT actor_arn, table_name FROM events
  WHERE event_name = 'GetShardIterator' AND event_source = 'dynamodb.amazonaws.com'
    AND error_code IS NULL
    AND json_extract(request_parameters, '$.shardIteratorType') IN ('TRIM_HORIZON', 'AT_SEQUENCE_NUMBER')
),
batches AS MATERIALIZED (
  -- calls that look up at least batch_read_items items by key at once, by the item estimates
  -- (event_items: a batch's entries or table map, a transaction's gets, keyed statements)
  -- (NOT INDEXED: the few batch rows are picked first, then grouped; walking the index
  -- of every item-level call costs fifteen times as much)
  SELECT event_id FROM event_items NOT INDEXED
  WHERE op = 'read'
    AND basis IN ('requestItems entries', 'keys listed', 'transactItems entries', 'statement')
  GROUP BY event_id HAVING sum(items) >= :batch_read_items
),
reading AS MATERIALIZED (
  -- every route the catalogue says reads items without their keys, or reads a stream; and
  -- the big batches (the columns read below only: a flood's rows are kept here)
  SELECT e.event_id, e.event_ts, e.event_name, e.table_name, e.actor_arn, e.principal_arn,
         e.account_id, e.aws_region, e.access_key_id, e.source_ip, e.request_parameters
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect IN ('scans-items', 'reads-stream') AND e.error_code IS NULL
    AND e.actor_kind IS NOT 'aws-service'
  GROUP BY e.event_id
  UNION ALL
  SELECT e.event_id, e.event_ts, e.event_name, e.table_name, e.actor_arn, e.principal_arn,
         e.account_id, e.aws_region, e.access_key_id, e.source_ip, e.request_parameters
  FROM batches b JOIN events e ON e.event_id = b.event_id
  WHERE e.error_code IS NULL AND e.actor_kind IS NOT 'aws-service'
    AND b.event_id NOT IN (SELECT event_id FROM event_effects
                           WHERE effect IN ('scans-items', 'reads-stream'))
),
stmts AS MATERIALIZED (
  -- PartiQL's statements, wherever the record keeps them (statement, requestItems[],
  -- statements[], transactStatements[]), each with its own table
  SELECT r.event_id, t.atom AS statement, partiql_table(t.atom) AS tbl
  FROM reading r, json_tree(r.request_parameters) t
  WHERE r.event_name IN ('ExecuteStatement', 'BatchExecuteStatement', 'ExecuteTransaction')
    AND t.key = 'statement' AND t.type = 'text'
),
bulk_tables AS MATERIALIZED (
  -- a bulk read is a copy without knowing the keys: each table a call copies
  SELECT r.event_id, r.table_name AS tbl FROM reading r
  WHERE (r.event_name = 'Scan'
         -- a first page of at most scan_page_limit items (the console opening a table) is a
         -- look, not a copy; paging on (exclusiveStartKey) or no Limit is
         AND NOT (coalesce(json_extract(r.request_parameters, '$.limit') <= :scan_page_limit, 0)
                  AND json_type(r.request_parameters, '$.exclusiveStartKey') IS NULL))
     OR (r.event_name = 'GetShardIterator'
         AND json_extract(r.request_parameters, '$.shardIteratorType')
             IN ('TRIM_HORIZON', 'AT_SEQUENCE_NUMBER'))
     OR (r.event_name = 'GetRecords'
         AND EXISTS (SELECT 1 FROM drains d WHERE d.actor_arn IS r.actor_arn
                                              AND d.table_name IS r.table_name))
  UNION
  SELECT s.event_id, coalesce(s.tbl, r.table_name) FROM stmts s JOIN reading r USING (event_id)
  WHERE partiql_bulk(s.statement,
                     (SELECT pk FROM keys k WHERE k.account_id IS r.account_id
                        AND k.aws_region IS r.aws_region
                        AND k.table_name = coalesce(s.tbl, r.table_name)))
  UNION
  -- a big batch copies from every table it reads
  SELECT i.event_id, coalesce(i.tbl, r.table_name)
  FROM batches b JOIN reading r ON r.event_id = b.event_id
       JOIN event_items i ON i.event_id = b.event_id AND i.op = 'read'
),
bulk AS MATERIALIZED (
  SELECT r.event_id, r.event_ts, r.actor_arn, r.principal_arn, r.account_id, r.aws_region,
         r.access_key_id, r.source_ip,
         CASE WHEN count(DISTINCT b.tbl) = 1 THEN max(b.tbl) ELSE r.table_name END AS table_name,
         r.event_name
  FROM reading r JOIN bulk_tables b ON b.event_id = r.event_id
  GROUP BY r.event_id
),
reads AS (
  SELECT b.actor_arn, t.tbl AS table_name, b.event_ts,
         coalesce(b.event_ts - lag(b.event_ts) OVER (PARTITION BY b.actor_arn, t.tbl
                                                     ORDER BY b.event_ts) > :window_seconds, 1)
           AS fresh
  FROM bulk b JOIN bulk_tables t ON t.event_id = b.event_id WHERE t.tbl IS NOT NULL
),
spans AS MATERIALIZED (
  SELECT actor_arn, min(event_ts) - :window_seconds AS s, max(event_ts) + 1 AS e
  FROM (SELECT actor_arn, table_name, event_ts,
               sum(fresh) OVER (PARTITION BY actor_arn, table_name ORDER BY event_ts
                                ROWS UNBOUNDED PRECEDING) AS span
        FROM reads)
  GROUP BY actor_arn, table_name, span
),
edges AS (
  SELECT actor_arn, s AS t, 1 AS dt, 0 AS dc FROM spans
  UNION ALL SELECT actor_arn, e, -1, 0 FROM spans
  UNION ALL SELECT actor_arn, event_ts - :window_seconds, 0, 1 FROM bulk
  UNION ALL SELECT actor_arn, event_ts + 1, 0, -1 FROM bulk
),
steps AS (
  -- calls and tables seen by a window starting anywhere in [t, next_t)
  SELECT actor_arn, t, lead(t) OVER (PARTITION BY actor_arn ORDER BY t) AS next_t,
         sum(sum(dt)) OVER running AS tables, sum(sum(dc)) OVER running AS calls
  FROM edges GROUP BY actor_arn, t
  WINDOW running AS (PARTITION BY actor_arn ORDER BY t ROWS UNBOUNDED PRECEDING)
),
hot AS (
  -- a hot window reaches the events in [t, next_t - 1 + window]; reaches that overlap are
  -- one burst
  SELECT actor_arn, t, next_t - 1 + :window_seconds AS reach, calls, tables,
         max(next_t - 1 + :window_seconds) OVER (PARTITION BY actor_arn ORDER BY t
             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_reach
  FROM steps
  -- actor_thresholds may raise the bar for one actor (an ETL role) without moving it for all
  WHERE calls >= coalesce((SELECT max(t.value) FROM settings_actor t WHERE t.key = 'mass_scan_calls' AND steps.actor_arn GLOB t.actor), :mass_scan_calls)
     OR tables >= coalesce((SELECT max(t.value) FROM settings_actor t WHERE t.key = 'mass_scan_tables' AND steps.actor_arn GLOB t.actor), :mass_scan_tables)
),
bursts AS MATERIALIZED (
  SELECT actor_arn, min(t) AS t0, max(reach) AS t1, max(calls) AS peak_calls,
         max(tables) AS peak_tables
  FROM (SELECT *, sum(prev_reach IS NULL OR t > prev_reach)
                    OVER (PARTITION BY actor_arn ORDER BY t ROWS UNBOUNDED PRECEDING) AS burst
        FROM hot)
  GROUP BY actor_arn, burst
),
marks AS (
  -- bursts of one actor are disjoint and ordered: a burst start sorts before a read at the
  -- same second, and the latest start and end so far are the burst a read may belong to (a
  -- join of bursts and reads would compare every read with every burst)
  SELECT *, max(b0) OVER w AS t0, max(b1) OVER w AS t1
  FROM (SELECT actor_arn, t0 AS event_ts, 0 AS kind, t0 AS b0, t1 AS b1, NULL AS event_id,
               NULL AS principal_arn, NULL AS account_id, NULL AS aws_region,
               NULL AS access_key_id, NULL AS source_ip, NULL AS table_name,
               NULL AS event_name
        FROM bursts
        UNION ALL
        SELECT actor_arn, event_ts, 1, NULL, NULL, event_id, principal_arn, account_id,
               aws_region, access_key_id, source_ip, table_name, event_name
        FROM bulk)
  WINDOW w AS (PARTITION BY actor_arn ORDER BY event_ts, kind ROWS UNBOUNDED PRECEDING)
),
inside AS MATERIALIZED (
  -- the reads inside a burst, by eventID within it (as event_ids lists them)
  SELECT * FROM marks WHERE kind = 1 AND event_ts <= t1 ORDER BY actor_arn, t0, event_id
),
burst_tables AS (
  -- the tables of each burst, in the order of its reads' ids (one join, not a look-up of the
  -- burst's reads for every bulk read of the store)
  SELECT actor_arn, t0, count(DISTINCT tbl) AS tables, id_list(DISTINCT tbl) AS table_list
  FROM (SELECT i.actor_arn, i.t0, t.tbl
        FROM inside i JOIN bulk_tables t ON t.event_id = i.event_id
        ORDER BY i.actor_arn, i.t0, t.event_id, t.tbl)
  GROUP BY actor_arn, t0
),
found AS (
  SELECT actor_arn, t0, min(event_ts) AS first_ts, max(event_ts) AS last_ts, count(*) AS n,
         max(account_id) AS account_id, sole(aws_region) AS aws_region,
         sole(access_key_id) AS access_key_id, sole(source_ip) AS source_ip,
         sole(table_name) AS table_name, group_concat(DISTINCT event_name) AS event_names,
         id_list(event_id) AS event_ids,
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
       f.table_name,
       f.event_names,
       f.event_ids,
       printf('%d bulk reads over %d table(s); peak %d calls and %d tables within %d s%s',
              f.n, coalesce(bt.tables, 0), h.peak_calls, h.peak_tables, :window_seconds,
              CASE WHEN f.sessions > 1 THEN '; sessions: ' || f.session_names ELSE '' END)
         AS detail,
       bt.table_list AS tables,
       json_array(f.actor_arn, h.t0) AS group_key
FROM found f JOIN bursts h ON h.actor_arn IS f.actor_arn AND h.t0 = f.t0
     LEFT JOIN burst_tables bt ON bt.actor_arn IS f.actor_arn AND bt.t0 = f.t0
