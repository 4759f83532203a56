-- id: DDB-OFF-REGION
-- title: DynamoDB activity outside the allowed regions
-- severity: high
-- description: DynamoDB or DAX was used in a region outside allowed_regions, or a call named
--   such a region anywhere in its request or response: a region key (a global-table replica,
--   a copy) or the region inside any ARN (a Kinesis stream a table streams to, a backup vault a
--   copy goes to, a table ARN), for DynamoDB and DAX calls and for every call the catalogue says
--   copies data out (AWS Backup copy jobs included); or such a region was enabled for an
--   account (the catalogue's enables-region: account:EnableRegion). Data residency rules say
--   where data may live; an attacker also often starts in a region nobody watches.
-- effects: copies-data-out, enables-region
-- mitre: T1535, T1537
-- stage: credential-use
-- story: outside the allowed regions
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html
-- falsepositives: A new region adopted without updating allowed_regions.
-- requires: allowed_regions
WITH allowed AS (SELECT value FROM settings_list WHERE key = 'allowed_regions'),
off AS (
  SELECT e.*, e.aws_region AS region, 'call' AS how
  FROM events e
  WHERE e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND e.aws_region NOT IN allowed
  UNION ALL
  SELECT e.*, r.region, 'request' AS how
  FROM event_refs r JOIN events e ON e.event_id = r.event_id
  WHERE r.region IS NOT NULL AND r.region NOT IN allowed
    AND (e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
         OR e.event_id IN (SELECT event_id FROM event_effects WHERE effect = 'copies-data-out'))
  UNION ALL
  -- a region switched on for the account: where data can go next
  SELECT e.*, json_extract(e.request_parameters, '$.regionName'), 'enable'
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'enables-region' AND e.error_code IS NULL
    AND json_extract(e.request_parameters, '$.regionName') NOT IN allowed
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(DISTINCT event_id) AS event_count,
       account_id, region AS aws_region, actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       sole(table_name) AS table_name,
       id_list(table_name, event_ts) AS tables,
       id_list(event_name, event_ts) AS event_names,
       id_list(event_id, event_ts) AS event_ids,
       CASE WHEN min(how) = max(how) AND min(how) = 'enable'
            THEN printf('region %s, which is not in allowed_regions, enabled for account %s',
                        region, coalesce(sole(recipient_account_id), account_id))
            ELSE printf('%d DynamoDB event(s) %s region %s, which is not in allowed_regions',
                        count(DISTINCT event_id),
                        CASE WHEN min(how) = max(how) AND min(how) = 'request' THEN 'naming'
                             ELSE 'in' END, region) END AS detail,
       json_array(actor_arn, region) AS group_key
FROM off
GROUP BY actor_arn, region, account_id
