-- id: DDB-BLIND-SPOT
-- title: DynamoDB data events not logged where tables exist
-- severity: medium
-- description: A region of an account shows DynamoDB management activity (tables exist and are
--   managed) but not one DynamoDB data event over the logs' time span. Item reads, scans,
--   PartiQL and stream reads are data events, which trails only log when selected: here they
--   are invisible to every rule, so a clean report says nothing about theft. Log data events
--   for AWS::DynamoDB::Table on the trail.
-- mitre: T1562.008
-- stage: evasion
-- story: data events not logged
-- references: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
-- falsepositives: Regions whose tables are never read or written in the period (rare); an input
--   that holds only management events on purpose.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       coalesce(recipient_account_id, account_id) AS account_id,
       aws_region,
       NULL AS principal_arn, NULL AS access_key_id, NULL AS source_ip,
       sole(table_name) AS table_name,
       group_concat(DISTINCT event_name) AS event_names,
       id_list(event_id) AS event_ids,
       printf('region %s of account %s: %d DynamoDB management event(s) (%d table(s)) but no '
              || 'DynamoDB data events; item reads, scans and exports here are invisible to '
              || 'every rule', aws_region, coalesce(recipient_account_id, account_id), count(*),
              count(DISTINCT table_name)) AS detail,
       json_array(coalesce(recipient_account_id, account_id), aws_region) AS group_key
FROM events NOT INDEXED
WHERE event_source = 'dynamodb.amazonaws.com'
GROUP BY coalesce(recipient_account_id, account_id), aws_region
HAVING sum(event_category = 'Management') > 0 AND sum(event_category = 'Data') = 0
