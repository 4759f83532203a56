-- id: DDB-TRAIL-TAMPER
-- title: CloudTrail logging stopped or DynamoDB data events dropped
-- severity: high
-- description: StopLogging or DeleteTrail (critical), or event selectors rewritten so that
--   DynamoDB data events are no longer logged (high). Without the trail nothing else in this
--   report can be seen; attackers switch it off right before or after the theft.
-- mitre: T1562.008
-- references: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
-- falsepositives: Planned trail migrations.
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, principal_arn, access_key_id, source_ip, NULL AS table_name,
       event_name AS event_names, event_id AS event_ids,
       CASE WHEN event_name IN ('StopLogging', 'DeleteTrail')
            THEN printf('%s on trail %s: CloudTrail stopped recording', event_name,
                        coalesce(json_extract(request_parameters, '$.name'), '?'))
            ELSE printf('%s on trail %s leaves DynamoDB data events unlogged', event_name,
                        coalesce(json_extract(request_parameters, '$.trailName'), '?'))
       END AS detail,
       CASE WHEN event_name IN ('StopLogging', 'DeleteTrail') THEN 'critical' END AS severity,
       event_id AS group_key
FROM events
WHERE event_source = 'cloudtrail.amazonaws.com' AND error_code IS NULL
  AND (event_name IN ('StopLogging', 'DeleteTrail')
       OR (event_name IN ('PutEventSelectors', 'PutAdvancedEventSelectors')
           AND coalesce(request_parameters, '') NOT LIKE '%AWS::DynamoDB::Table%'))
