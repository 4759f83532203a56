-- id: DDB-TTL-ABUSE
-- title: Time to live enabled on an existing DynamoDB table
-- severity: medium
-- description: TTL was enabled (the catalogue's expires-items: UpdateTimeToLive with enabled
--   true) on a table that was not made (creates-table: created, imported, restored) within the
--   preceding window_seconds. A table is (account, region, name): a decoy of the same name made
--   in another region does not excuse the real one. Pointing TTL at an attribute every item has
--   makes DynamoDB delete the whole table's items silently, in the background, without a
--   DeleteItem in the logs. AWS itself (the global-tables replication role copying a table's
--   TTL setting to a new replica) is left out.
-- effects: expires-items, creates-table
-- mitre: T1485
-- stage: impact
-- story: TTL set to expire data
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
-- falsepositives: TTL introduced on a long-lived table by a reviewed change.
SELECT e.event_time AS first_seen, e.event_time AS last_seen, 1 AS event_count,
       e.account_id, e.aws_region, e.actor_arn AS principal_arn, e.access_key_id, e.source_ip,
       e.table_name, e.event_name AS event_names, e.event_id AS event_ids,
       printf('TTL enabled on existing table %s using attribute %s', coalesce(e.table_name, '?'),
              coalesce(json_extract(e.request_parameters, '$.timeToLiveSpecification.attributeName'), '?'))
         || coalesce(' (session ' || arn_session(e.principal_arn) || ')', '') AS detail,
       e.event_id AS group_key
FROM event_effects x JOIN events e ON e.event_id = x.event_id
WHERE x.effect = 'expires-items' AND e.error_code IS NULL
  AND e.actor_kind IS NOT 'aws-service'
  AND NOT EXISTS (SELECT 1 FROM event_effects m JOIN events c ON c.event_id = m.event_id
                  WHERE m.effect = 'creates-table' AND c.table_name = e.table_name
                    AND c.recipient_account_id IS e.recipient_account_id
                    AND c.aws_region IS e.aws_region AND c.error_code IS NULL
                    AND c.event_ts BETWEEN e.event_ts - :window_seconds AND e.event_ts)
