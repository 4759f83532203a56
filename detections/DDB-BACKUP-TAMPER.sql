-- id: DDB-BACKUP-TAMPER
-- title: DynamoDB recovery safeguards disabled
-- severity: high
-- description: A call the catalogue says weakens recovery (point-in-time recovery switched off,
--   or kept on with its window shortened below the 35-day maximum by recoveryPeriodInDays) or
--   lowers protection (deletion protection removed by UpdateTable; CreateTable does not count).
--   AWS Backup's anti-recovery too: recovery points deleted by a principal (one alert per
--   actor and vault), a vault deleted or its lock removed, a vault access
--   policy opened to "*" or an untrusted account (high) or removed (medium), a backup plan or
--   selection deleted (high when the store saw it cover DynamoDB, else medium), a job stopped
--   (medium), recovery points given a lifecycle shorter than backup_retention_days (high).
--   AWS Backup's own scheduled work (its lifecycle expiring recovery points) is left out.
--   All are what an attacker does before deleting or corrupting data so that it cannot be
--   restored, or restored only to a point after the damage.
-- effects: weakens-recovery, lowers-protection, deletes-backup
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
    AND e.event_source <> 'backup.amazonaws.com'
),
vault AS (
  -- AWS Backup: what each call takes away from a restore (AWS Backup acting on its own
  -- schedule is left out)
  SELECT e.*, json(e.request_parameters) AS req,
         coalesce(json_extract(e.request_parameters, '$.backupVaultName'), '?') AS vname,
         coalesce(json_extract(e.request_parameters, '$.lifecycle.deleteAfterDays'),
                  (SELECT min(t.value) FROM json_tree(e.request_parameters) t
                   WHERE t.key = 'deleteAfterDays' AND t.type = 'integer')) AS days
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'weakens-recovery' AND e.error_code IS NULL
    AND e.event_source = 'backup.amazonaws.com' AND e.actor_kind IS NOT 'aws-service'
),
opened AS (
  -- principals a vault access policy now lets in: "*" or accounts not the vault's nor trusted
  SELECT v.event_id, group_concat(DISTINCT t.atom) AS who
  FROM vault v,
       json_each(CASE json_type(json_extract(v.req, '$.policy'), '$.Statement')
                   WHEN 'array' THEN json_extract(json_extract(v.req, '$.policy'), '$.Statement')
                   ELSE json_array(json(json_extract(json_extract(v.req, '$.policy'), '$.Statement')))
                 END) st,
       json_tree(st.value, '$.Principal') t
  WHERE v.event_name = 'PutBackupVaultAccessPolicy' AND json_valid(json_extract(v.req, '$.policy'))
    AND json_extract(st.value, '$.Effect') = 'Allow' AND t.atom IS NOT NULL
    AND t.fullkey NOT LIKE '%.Service%'
    AND (t.atom = '*' OR coalesce(arn_account(t.atom), '') NOT IN
           (SELECT coalesce(v.recipient_account_id, v.account_id)
            UNION SELECT value FROM settings_list WHERE key = 'trusted_accounts'))
  GROUP BY v.event_id
),
covered AS (
  -- plans and selections the store saw created over DynamoDB tables (or every resource)
  SELECT DISTINCT coalesce(json_extract(response_elements, '$.selectionId'), '') AS sel,
         json_extract(request_parameters, '$.backupPlanId') AS plan
  FROM events
  WHERE event_source = 'backup.amazonaws.com' AND event_name = 'CreateBackupSelection'
    AND (instr(request_parameters, ':dynamodb:') OR instr(request_parameters, '"*"')
         OR instr(request_parameters, 'DynamoDB'))
),
tampered AS (
  SELECT v.*,
         CASE event_name
           WHEN 'DeleteBackupVault' THEN printf('backup vault %s deleted', vname)
           WHEN 'DeleteBackupVaultLockConfiguration'
             THEN printf('vault lock removed from %s: its recovery points can be deleted early',
                         vname)
           WHEN 'PutBackupVaultAccessPolicy'
             THEN printf('access policy of vault %s lets in %s', vname,
                         (SELECT who FROM opened o WHERE o.event_id = v.event_id))
           WHEN 'DeleteBackupVaultAccessPolicy'
             THEN printf('access policy removed from vault %s (a Deny guarding its recovery '
                         || 'points may be gone)', vname)
           WHEN 'DeleteBackupPlan'
             THEN printf('backup plan %s deleted: no further backups by it',
                         json_extract(req, '$.backupPlanId'))
           WHEN 'DeleteBackupSelection'
             THEN printf('selection %s of backup plan %s deleted: its resources are no longer backed up',
                         json_extract(req, '$.selectionId'), json_extract(req, '$.backupPlanId'))
           WHEN 'StopBackupJob'
             THEN printf('backup job %s stopped', json_extract(req, '$.backupJobId'))
           ELSE printf('%s: recovery points now deleted after %d day(s) (backup_retention_days '
                       || 'is %d)', event_name, days, :backup_retention_days)
         END AS what,
         CASE WHEN event_name IN ('DeleteBackupVaultAccessPolicy', 'StopBackupJob') THEN 'medium'
              WHEN event_name IN ('DeleteBackupPlan', 'DeleteBackupSelection')
                   AND NOT EXISTS (SELECT 1 FROM covered c
                                   WHERE c.plan = json_extract(v.req, '$.backupPlanId')
                                     AND (v.event_name = 'DeleteBackupPlan'
                                          OR c.sel = json_extract(v.req, '$.selectionId')))
                THEN 'medium'
              ELSE 'high' END AS severity
  FROM vault v
  WHERE (event_name <> 'PutBackupVaultAccessPolicy'
         OR event_id IN (SELECT event_id FROM opened))
    AND (event_name NOT IN ('UpdateRecoveryPointLifecycle', 'UpdateBackupPlan')
         OR days < :backup_retention_days)
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
              id_list(CASE
                WHEN effect = 'lowers-protection' THEN 'deletion protection disabled'
                WHEN pitr = 0 THEN 'point-in-time recovery disabled'
                WHEN days IS NOT NULL
                  THEN printf('point-in-time recovery kept for only %d day(s)', days)
                ELSE event_name || ' weakened recovery' END, event_ts, ', '))
       || CASE WHEN count(DISTINCT principal_arn) > 1
               THEN '; sessions: ' || id_list(DISTINCT arn_session(principal_arn)) ELSE '' END
         AS detail,
       'high' AS severity,
       json_array(actor_arn, table_name, account_id, aws_region) AS group_key
FROM (SELECT * FROM w ORDER BY event_ts, event_id) -- the detail in the order it happened
GROUP BY actor_arn, table_name, account_id, aws_region
UNION ALL
SELECT event_time, event_time, 1, account_id, aws_region, actor_arn, access_key_id, source_ip,
       NULL, event_name, event_id,
       what || coalesce(' (session ' || arn_session(principal_arn) || ')', ''), severity,
       event_id
FROM tampered
UNION ALL
-- AWS Backup's recovery points deleted by a principal (not by its own lifecycle): one alert
-- per actor and vault, however many
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(e.event_ts), 'unixepoch'),
       strftime('%Y-%m-%dT%H:%M:%SZ', max(e.event_ts), 'unixepoch'), count(*), e.account_id,
       sole(e.aws_region), e.actor_arn, sole(e.access_key_id), sole(e.source_ip), NULL,
       'DeleteRecoveryPoint', id_list(e.event_id, e.event_ts),
       printf('%d recovery point(s) deleted from vault %s by hand, before AWS Backup''s '
              || 'lifecycle would', count(*),
              coalesce(json_extract(e.request_parameters, '$.backupVaultName'), '?'))
       || CASE WHEN count(DISTINCT e.principal_arn) > 1
               THEN '; sessions: ' || id_list(arn_session(e.principal_arn), e.event_ts) ELSE '' END,
       'high', json_array(e.actor_arn, json_extract(e.request_parameters, '$.backupVaultName'))
FROM event_effects x JOIN events e ON e.event_id = x.event_id
WHERE x.effect = 'deletes-backup' AND e.error_code IS NULL
  AND e.event_source = 'backup.amazonaws.com' AND e.actor_kind IS NOT 'aws-service'
GROUP BY e.actor_arn, e.account_id, json_extract(e.request_parameters, '$.backupVaultName')
