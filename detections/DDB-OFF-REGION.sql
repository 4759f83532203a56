-- id: DDB-OFF-REGION
-- title: DynamoDB activity outside the allowed regions
-- severity: high
-- description: DynamoDB or DAX was used in a region outside allowed_regions, or a request
--   (a global-table replica, a restore) named such a region. Data residency rules say where
--   data may live; an attacker also often starts in a region nobody watches.
-- mitre: T1535, T1537
-- stage: credential-use
-- story: outside the allowed regions
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
-- falsepositives: A new region adopted without updating allowed_regions.
-- requires: allowed_regions
WITH off AS (
  SELECT e.*, e.aws_region AS region, 'call' AS how
  FROM events e
  WHERE e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND e.aws_region NOT IN (SELECT value FROM settings_list WHERE key = 'allowed_regions')
  UNION ALL
  SELECT e.*, t.value AS region, 'request' AS how
  FROM events e, json_tree(e.request_parameters) t
  WHERE e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND e.request_parameters IS NOT NULL
    AND t.key IN ('regionName', 'RegionName', 'targetRegion')
    AND t.type = 'text'
    AND t.value NOT IN (SELECT value FROM settings_list WHERE key = 'allowed_regions')
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(DISTINCT event_id) AS event_count,
       account_id, region AS aws_region, actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       sole(table_name) AS table_name,
       group_concat(DISTINCT event_name) AS event_names,
       id_list(DISTINCT event_id) AS event_ids,
       printf('%d DynamoDB event(s) %s region %s, which is not in allowed_regions',
              count(DISTINCT event_id),
              CASE WHEN min(how) = max(how) AND min(how) = 'request' THEN 'naming' ELSE 'in' END,
              region) AS detail,
       json_array(actor_arn, region) AS group_key
FROM off
GROUP BY actor_arn, region, account_id
