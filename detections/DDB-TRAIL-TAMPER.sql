-- id: DDB-TRAIL-TAMPER
-- title: CloudTrail logging stopped or DynamoDB data events dropped
-- severity: high
-- description: StopLogging or DeleteTrail (critical), or event selectors rewritten so that
--   DynamoDB is no longer fully logged (high): the selectors are read, not grepped, basic
--   (readWriteType, includeManagementEvents, dataResources, excludeManagementEventSources) and
--   advanced (eventCategory, resources.type, resources.ARN, readOnly, eventName, eventSource
--   with every operator). It fires when after the change DynamoDB data events are not
--   selected, only reads or only writes are, only some tables or event names are, or DynamoDB
--   management events are excluded; detail says what is no longer logged. Selecting every
--   table ("arn:aws:dynamodb") is fine. Without the trail nothing else in this report can be
--   seen; attackers switch it off right before or after the theft. AWS services count too.
-- mitre: T1562.008
-- stage: evasion
-- story: trail tampered
-- references: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
-- falsepositives: Planned trail migrations.
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       NULL AS table_name, event_name AS event_names, event_id AS event_ids,
       CASE WHEN event_name IN ('StopLogging', 'DeleteTrail')
            THEN printf('%s on trail %s: CloudTrail stopped recording', event_name,
                        coalesce(json_extract(request_parameters, '$.name'), '?'))
            ELSE printf('%s on trail %s: %s', event_name,
                        coalesce(json_extract(request_parameters, '$.trailName'), '?'), gap)
       END || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN event_name IN ('StopLogging', 'DeleteTrail') THEN 'critical' END AS severity,
       event_id AS group_key
FROM (SELECT e.*, CASE WHEN event_name IN ('PutEventSelectors', 'PutAdvancedEventSelectors')
                       THEN dynamodb_logging_gap(request_parameters) END AS gap
      FROM events e
      WHERE event_source = 'cloudtrail.amazonaws.com' AND error_code IS NULL
        AND event_name IN ('StopLogging', 'DeleteTrail', 'PutEventSelectors',
                           'PutAdvancedEventSelectors'))
WHERE event_name IN ('StopLogging', 'DeleteTrail') OR gap IS NOT NULL
