-- id: DDB-CONFIG-TAMPER
-- title: AWS Config stopped from judging DynamoDB
-- severity: high
-- description: A call the catalogue says changes compliance monitoring, judged by what it
--   changes. High: the configuration recorder stopped or deleted, the delivery channel deleted
--   (nothing recorded reaches anyone), or the recorder saved so that it no longer records
--   DynamoDB tables (AWS::DynamoDB::Table in its exclusion list, or a chosen-types list
--   without it). Medium: a DynamoDB-related Config rule or conformance pack deleted (its name
--   says DynamoDB or DAX, or the store holds its PutConfigRule/PutConformancePack and that
--   says so). Low: a conformance pack deleted whose content the store does not hold. Config
--   rules are how the guidance checks that tables keep encryption, PITR and deletion
--   protection; an attacker silences them before weakening the tables. Saving a recorder that
--   still records DynamoDB, updating or redeploying rules and evaluations are not tampering.
-- effects: changes-compliance-monitoring
-- mitre: T1562.001
-- stage: evasion
-- story: AWS Config silenced
-- references: https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html
-- falsepositives: Retiring an account; moving to an organisation-wide recorder (suppress the
--   platform role with a reason).
WITH c AS (
  SELECT e.*, json(e.request_parameters) AS req,
         json_extract(e.request_parameters, '$.configurationRecorder.recordingGroup') AS rg
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'changes-compliance-monitoring' AND e.error_code IS NULL
    AND e.actor_kind IS NOT 'aws-service'
),
named AS (
  -- the Config rule or pack a deletion names, and what the store knows of its content
  SELECT c.*,
         coalesce(json_extract(req, '$.configRuleName'),
                  json_extract(req, '$.organizationConfigRuleName'),
                  json_extract(req, '$.conformancePackName'),
                  json_extract(req, '$.organizationConformancePackName')) AS what
  FROM c
),
judged AS (
  SELECT n.*,
         CASE
           WHEN event_name IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder')
             THEN printf('%s: recorder %s no longer records any change', event_name,
                         coalesce(json_extract(req, '$.configurationRecorderName'), '?'))
           WHEN event_name = 'DeleteDeliveryChannel'
             THEN printf('DeleteDeliveryChannel: channel %s deleted, recorded changes reach nobody',
                         coalesce(json_extract(req, '$.deliveryChannelName'), '?'))
           WHEN event_name = 'PutConfigurationRecorder' AND rg IS NOT NULL AND (
                  EXISTS (SELECT 1 FROM json_each(rg, '$.exclusionByResourceTypes.resourceTypes') t
                          WHERE t.value = 'AWS::DynamoDB::Table')
                  OR (json_extract(rg, '$.allSupported') = 0
                      AND json_extract(rg, '$.recordingStrategy.useOnly')
                          IS NOT 'EXCLUSION_BY_RESOURCE_TYPES'
                      AND NOT EXISTS (SELECT 1 FROM json_each(rg, '$.resourceTypes') t
                                      WHERE t.value = 'AWS::DynamoDB::Table')))
             THEN printf('PutConfigurationRecorder: recorder %s no longer records DynamoDB tables',
                         coalesce(json_extract(req, '$.configurationRecorder.name'), '?'))
         END AS stops,
         event_name LIKE 'Delete%Config%Rule' OR event_name LIKE 'Delete%ConformancePack' AS deletes,
         -- DynamoDB-related by its name, or by the content the store saw it put with
         what REGEXP '(?i)dynamo|\bdax' OR EXISTS (
           SELECT 1 FROM events p
           WHERE p.event_source = 'config.amazonaws.com'
             AND p.event_name IN ('PutConfigRule', 'PutConformancePack', 'PutOrganizationConfigRule',
                                  'PutOrganizationConformancePack')
             AND p.event_ts <= n.event_ts AND instr(p.request_parameters, n.what) > 0
             AND p.request_parameters REGEXP '(?i)dynamodb|AWS::DAX|\bDAX_') AS about_ddb,
         EXISTS (SELECT 1 FROM events p
                 WHERE p.event_source = 'config.amazonaws.com' AND p.event_name LIKE 'Put%'
                   AND p.event_ts <= n.event_ts AND instr(p.request_parameters, n.what) > 0) AS known
  FROM named n
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       NULL AS table_name, event_name AS event_names, event_id AS event_ids,
       coalesce(stops,
                CASE WHEN about_ddb
                     THEN printf('%s: %s, which checks DynamoDB, deleted', event_name, what)
                     ELSE printf('%s: %s deleted; the store holds nothing of what it checked, '
                                 || 'so it may have judged DynamoDB', event_name, what) END)
       || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN stops IS NOT NULL THEN 'high' WHEN about_ddb THEN 'medium' ELSE 'low' END
         AS severity,
       event_id AS group_key
FROM judged
WHERE stops IS NOT NULL
   OR (deletes AND what IS NOT NULL
       AND (about_ddb OR (NOT known AND event_name LIKE '%ConformancePack')))
