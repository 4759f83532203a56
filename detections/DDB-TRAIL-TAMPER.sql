-- id: DDB-TRAIL-TAMPER
-- title: CloudTrail logging stopped or DynamoDB data events dropped
-- severity: high
-- description: A call the catalogue says changes logging, judged by what it changes. StopLogging
--   or DeleteTrail (critical). UpdateTrail turning log file validation off (log files can then
--   be edited unseen) or multi-region logging off (other regions go dark): high. Event
--   selectors rewritten so that DynamoDB is no longer fully logged: the selectors are read,
--   not grepped, basic (readWriteType, includeManagementEvents, dataResources,
--   excludeManagementEventSources) and advanced (eventCategory, resources.type, resources.ARN,
--   readOnly, eventName, eventSource with every operator); it counts when after the change
--   DynamoDB data events are not selected, only reads or only writes are, only some tables or
--   event names are, or DynamoDB management events are excluded; detail says what is not
--   logged. Selecting every table ("arn:aws:dynamodb") is fine. One PutEventSelectors cannot
--   show a change by itself: it is high when the store knows the trail logged DynamoDB before
--   (an earlier selector change that left nothing out, or DynamoDB data events already seen
--   from that account and region), and a low note when it knows neither (a trail saved as it
--   always was). Without the trail nothing else in this report can be seen; attackers switch
--   it off right before or after the theft. The trail's S3 bucket too (a bucket in
--   trail_buckets or named by CreateTrail/UpdateTrail; when none is known, a bucket whose name
--   says cloudtrail): deleted (critical), its policy deleted or rewritten so that CloudTrail
--   may not put objects (high), a lifecycle rule expiring objects in fewer than
--   log_retention_days days (high): the evidence goes, or stops arriving. AWS services count
--   too.
-- effects: changes-logging
-- mitre: T1562.008
-- stage: evasion
-- story: trail tampered
-- references: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
-- falsepositives: Planned trail migrations.
WITH c AS (
  SELECT e.*,
         coalesce(json_extract(e.request_parameters, '$.trailName'),
                  json_extract(e.request_parameters, '$.name')) AS trail,
         CASE WHEN e.event_name IN ('PutEventSelectors', 'PutAdvancedEventSelectors')
              THEN dynamodb_logging_gap(e.request_parameters) END AS gap,
         CASE WHEN e.event_name = 'UpdateTrail' THEN
           trim(CASE WHEN json_extract(e.request_parameters, '$.enableLogFileValidation') = 0
                     THEN 'log file validation turned off (log files can be edited unseen); '
                     ELSE '' END ||
                CASE WHEN json_extract(e.request_parameters, '$.isMultiRegionTrail') = 0
                     THEN 'multi-region logging turned off (other regions are no longer logged); '
                     ELSE '' END, '; ') END AS weakened
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'changes-logging' AND e.error_code IS NULL
),
buckets AS (
  -- the buckets trails deliver to: configured, or named by a trail's creation or update
  SELECT value AS bucket, 'trail_buckets' AS why FROM settings_list WHERE key = 'trail_buckets'
  UNION
  SELECT coalesce(json_extract(request_parameters, '$.s3BucketName'),
                  json_extract(response_elements, '$.s3BucketName')),
         'the bucket of trail ' || coalesce(json_extract(request_parameters, '$.name'), '?')
  FROM events
  WHERE event_source = 'cloudtrail.amazonaws.com' AND event_name IN ('CreateTrail', 'UpdateTrail')
    AND coalesce(json_extract(request_parameters, '$.s3BucketName'),
                 json_extract(response_elements, '$.s3BucketName')) IS NOT NULL
),
bucket_calls AS (
  SELECT c.*, json_extract(c.request_parameters, '$.bucketName') AS bucket,
         coalesce((SELECT min(b.why) FROM buckets b
                   WHERE b.bucket = json_extract(c.request_parameters, '$.bucketName')),
                  CASE WHEN NOT EXISTS (SELECT 1 FROM buckets)
                        AND json_extract(c.request_parameters, '$.bucketName') REGEXP '(?i)cloudtrail'
                       THEN 'taken for a trail bucket by its name (no trail bucket is known)' END)
           AS why,
         json_extract(c.request_parameters, '$.bucketPolicy') AS pol,
         json_extract(c.request_parameters, '$.LifecycleConfiguration.Rule') AS rules
  FROM c WHERE c.event_source = 's3.amazonaws.com'
),
puts AS (
  -- who each bucket policy statement allows or denies putting objects (log files)
  SELECT b.event_id, json_extract(st.value, '$.Effect') AS effect, p.atom AS principal,
         json_type(st.value, '$.Condition') IS NOT NULL AS fenced
  FROM bucket_calls b,
       json_each(CASE json_type(b.pol, '$.Statement')
                   WHEN 'array' THEN json_extract(b.pol, '$.Statement')
                   ELSE json_array(json(json_extract(b.pol, '$.Statement'))) END) st,
       json_tree(st.value, '$.Principal') p, json_tree(st.value, '$.Action') a
  WHERE b.event_name = 'PutBucketPolicy' AND json_valid(b.pol) AND p.atom IS NOT NULL
    AND lower(a.atom) IN ('s3:putobject', 's3:*', '*')
),
bucket_found AS (
  SELECT b.*,
         CASE event_name
           WHEN 'DeleteBucket' THEN printf('trail bucket %s deleted', bucket)
           WHEN 'DeleteBucketPolicy'
             THEN printf('bucket policy of trail bucket %s deleted: CloudTrail may no longer '
                         || 'write to it', bucket)
           WHEN 'PutBucketPolicy'
             THEN printf('bucket policy of trail bucket %s no longer lets CloudTrail deliver',
                         bucket)
           WHEN 'PutBucketLifecycle'
             THEN printf('lifecycle of trail bucket %s expires log files after %d day(s) '
                         || '(log_retention_days is %d)', bucket,
                         (SELECT min(CAST(json_extract(r.value, '$.Expiration.Days') AS INTEGER))
                          FROM json_each(CASE json_type(b.rules) WHEN 'array' THEN b.rules
                                                                 ELSE json_array(json(b.rules)) END) r
                          WHERE json_extract(r.value, '$.Status') = 'Enabled'),
                         :log_retention_days)
         END AS what
  FROM bucket_calls b
  WHERE why IS NOT NULL
    AND (event_name IN ('DeleteBucket', 'DeleteBucketPolicy')
         OR (event_name = 'PutBucketPolicy' AND json_valid(pol) AND (
               -- no Allow of s3:PutObject to the CloudTrail service, or a Deny of it to all
               NOT EXISTS (SELECT 1 FROM puts u
                           WHERE u.event_id = b.event_id AND u.effect = 'Allow'
                             AND u.principal = 'cloudtrail.amazonaws.com')
               OR EXISTS (SELECT 1 FROM puts u
                          WHERE u.event_id = b.event_id AND u.effect = 'Deny' AND NOT u.fenced
                            AND u.principal IN ('*', 'cloudtrail.amazonaws.com'))))
         OR (event_name = 'PutBucketLifecycle' AND EXISTS (
               SELECT 1 FROM json_each(CASE json_type(b.rules) WHEN 'array' THEN b.rules
                                                              ELSE json_array(json(b.rules)) END) r
               WHERE json_extract(r.value, '$.Status') = 'Enabled'
                 AND CAST(json_extract(r.value, '$.Expiration.Days') AS INTEGER)
                     < :log_retention_days)))
),
judged AS (
  SELECT c.*,
         -- what the store knows of this trail or account and region logging DynamoDB before
         EXISTS (SELECT 1 FROM c p
                 WHERE p.trail IS c.trail AND p.event_ts < c.event_ts AND p.gap IS NULL
                   AND p.event_name IN ('PutEventSelectors', 'PutAdvancedEventSelectors'))
         OR EXISTS (SELECT 1 FROM events d
                    WHERE d.event_source = 'dynamodb.amazonaws.com' AND d.event_category = 'Data'
                      AND d.recipient_account_id IS c.recipient_account_id
                      AND d.aws_region IS c.aws_region AND d.event_ts < c.event_ts) AS logged_before
  FROM c
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       NULL AS table_name, event_name AS event_names, event_id AS event_ids,
       CASE WHEN event_name IN ('StopLogging', 'DeleteTrail')
              THEN printf('%s on trail %s: CloudTrail stopped recording', event_name,
                          coalesce(trail, '?'))
            WHEN event_name = 'UpdateTrail'
              THEN printf('UpdateTrail on trail %s: %s', coalesce(trail, '?'), weakened)
            WHEN logged_before
              THEN printf('%s on trail %s: %s', event_name, coalesce(trail, '?'), gap)
            ELSE printf('%s on trail %s: %s (the store holds no earlier selectors of this '
                        || 'trail nor DynamoDB data events from its account and region, so this '
                        || 'may be how it always was)', event_name, coalesce(trail, '?'), gap)
       END || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN event_name IN ('StopLogging', 'DeleteTrail') THEN 'critical'
            WHEN event_name = 'UpdateTrail' OR logged_before THEN 'high'
            ELSE 'low' END AS severity,
       event_id AS group_key
FROM judged
WHERE event_name IN ('StopLogging', 'DeleteTrail') OR gap IS NOT NULL
   OR (event_name = 'UpdateTrail' AND weakened <> '')
UNION ALL
SELECT event_time, event_time, 1, account_id, aws_region, actor_arn, access_key_id, source_ip,
       NULL, event_name, event_id,
       what || ' (' || why || ')' || coalesce(' (session ' || arn_session(principal_arn) || ')', ''),
       CASE WHEN event_name = 'DeleteBucket' THEN 'critical' ELSE 'high' END, event_id
FROM bucket_found
