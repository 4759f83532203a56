-- id: DDB-TTL-ABUSE
-- title: Time to live enabled on an existing DynamoDB table
-- severity: medium
-- description: UpdateTimeToLive enabled TTL on a table that was not created within the
--   preceding window_seconds. Pointing TTL at an attribute every item has makes DynamoDB
--   delete the whole table's items silently, in the background, without a DeleteItem in
--   the logs.
-- mitre: T1485
-- stage: impact
-- story: TTL set to expire data
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
-- falsepositives: TTL introduced on a long-lived table by a reviewed change.
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip, table_name,
       event_name AS event_names, event_id AS event_ids,
       printf('TTL enabled on existing table %s using attribute %s', coalesce(table_name, '?'),
              coalesce(json_extract(request_parameters, '$.timeToLiveSpecification.attributeName'), '?'))
         || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       event_id AS group_key
FROM events e
WHERE event_source = 'dynamodb.amazonaws.com' AND event_name = 'UpdateTimeToLive'
  AND error_code IS NULL
  AND json_extract(request_parameters, '$.timeToLiveSpecification.enabled') = 1
  AND NOT EXISTS (SELECT 1 FROM events c
                  WHERE c.event_name = 'CreateTable' AND c.table_name = e.table_name
                    AND c.account_id IS e.account_id AND c.error_code IS NULL
                    AND c.event_ts BETWEEN e.event_ts - :window_seconds AND e.event_ts)
