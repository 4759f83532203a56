-- id: DDB-BACKUP-TAMPER
-- title: DynamoDB recovery safeguards disabled
-- severity: high
-- description: A call the catalogue says weakens recovery (point-in-time recovery switched off,
--   or kept on with its window shortened below the 35-day maximum by recoveryPeriodInDays) or
--   lowers protection (deletion protection removed by UpdateTable; CreateTable does not count).
--   Both are what an attacker does before deleting or corrupting data so that it cannot be
--   restored, or restored only to a point after the damage.
-- effects: weakens-recovery, lowers-protection
-- mitre: T1490
-- stage: impact
-- story: recovery disabled
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
-- falsepositives: Decommissioning a table on purpose; a cost decision to keep fewer days of
--   recovery (suppress it for that table with a reason).
WITH w AS (
  SELECT e.*, x.effect,
         json_extract(e.request_parameters,
                      '$.pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled') AS pitr,
         json_extract(e.request_parameters,
                      '$.pointInTimeRecoverySpecification.recoveryPeriodInDays') AS days
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect IN ('weakens-recovery', 'lowers-protection') AND e.error_code IS NULL
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(DISTINCT event_id) AS event_count,
       account_id, aws_region, actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       table_name,
       group_concat(DISTINCT event_name) AS event_names,
       id_list(DISTINCT event_id) AS event_ids,
       printf('on table %s: %s', coalesce(table_name, '?'),
              group_concat(DISTINCT CASE
                WHEN effect = 'lowers-protection' THEN 'deletion protection disabled'
                WHEN pitr = 0 THEN 'point-in-time recovery disabled'
                WHEN days IS NOT NULL
                  THEN printf('point-in-time recovery kept for only %d day(s)', days)
                ELSE event_name || ' weakened recovery' END))
       || CASE WHEN count(DISTINCT principal_arn) > 1
               THEN '; sessions: ' || id_list(DISTINCT arn_session(principal_arn)) ELSE '' END
         AS detail,
       json_array(actor_arn, table_name, account_id, aws_region) AS group_key
FROM (SELECT * FROM w ORDER BY event_ts, event_id) -- the detail in the order it happened
GROUP BY actor_arn, table_name, account_id, aws_region
