-- id: DDB-LOG-TAMPER
-- title: CloudTrail log files deleted, modified or injected
-- severity: critical
-- description: The downloaded tree does not match its CloudTrail digest files (log file
--   integrity validation, checked offline by ddbtrail verify and by scan): a log file the digests
--   list is missing or its content changed, a digest is missing or changed (broken chain), or
--   its signature does not verify (critical); hours no digest covers, logging stopped or digests
--   deleted (high); a log file no digest lists inside the time they cover, injected or from
--   another trail (medium). An attacker who can write to the log bucket removes the file that
--   shows their export; the digests still list it.
-- mitre: T1070, T1565.001
-- stage: evasion
-- story: log files tampered with
-- references: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
-- falsepositives: A partial download (sync interrupted, a prefix filter): re-download the
--   hours the findings name.
SELECT coalesce(time_start, time_end) AS first_seen, coalesce(time_end, time_start) AS last_seen,
       1 AS event_count,
       substr(coalesce(digest_path, log_path), 9,
              instr(substr(coalesce(digest_path, log_path), 9), '/') - 1) AS account_id,
       region AS aws_region, NULL AS principal_arn, NULL AS access_key_id, NULL AS source_ip,
       NULL AS table_name, kind AS event_names, NULL AS event_ids,
       message AS detail,
       CASE WHEN kind IN ('missing', 'modified', 'chain', 'signature') THEN 'critical'
            WHEN kind = 'gap' THEN 'high' ELSE 'medium' END AS severity,
       json_array(kind, digest_path, log_path) AS group_key
FROM integrity
