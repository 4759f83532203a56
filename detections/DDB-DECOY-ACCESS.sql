-- id: DDB-DECOY-ACCESS
-- title: A decoy DynamoDB table was touched
-- severity: critical
-- description: Any call on a table listed in decoy_tables (by name, or by table ARN to pin its
--   account and region): the table itself, or named anywhere in a request or response (a
--   stream, an export, a backup, a policy, PartiQL's table). A decoy has no legitimate user,
--   so one call is enough: whoever lists its keys, reads its items or copies it is exploring
--   what they should not, whatever the call is named. AWS services acting on their own
--   (AWS Backup's scheduled plans, auto scaling) are left out; a service acting for a caller is
--   that caller's call.
-- mitre: T1530, T1213
-- stage: collection
-- story: decoy table touched
-- references: https://attack.mitre.org/techniques/T1530/
-- falsepositives: The infrastructure code that created and maintains the decoy (suppress that
--   role for this rule with a reason).
-- requires: decoy_tables
WITH decoy AS (
  SELECT value AS decoy,
         CASE WHEN value LIKE 'arn:%' THEN arn_field(value, 4) END AS acct,
         CASE WHEN value LIKE 'arn:%' THEN arn_field(value, 3) END AS reg,
         CASE WHEN value LIKE 'arn:%' THEN substr(arn_field(value, 5), 7) ELSE value END AS name
  FROM settings_list WHERE key = 'decoy_tables'
),
touched AS (
  -- the call's table, or any table its request names by name: a second table of a
  -- BatchGetItem or BatchWriteItem, a TransactGetItems element, a statement of a PartiQL
  -- batch (only requests whose text holds the name are walked)
  SELECT e.event_id, d.decoy
  FROM events e JOIN decoy d
       ON e.table_name = d.name
       OR (instr(e.request_parameters, d.name) > 0
           AND EXISTS (SELECT 1 FROM json_tree(e.request_parameters) t
                       WHERE (t.key IN ('tableName', 'TableName') AND t.atom = d.name)
                          OR (t.path = '$.requestItems' AND t.key = d.name)
                          OR (t.key = 'statement' AND partiql_table(t.atom) = d.name)))
  WHERE e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND (d.acct IS NULL OR d.acct = coalesce(e.recipient_account_id, e.account_id))
    AND (d.reg IS NULL OR d.reg = e.aws_region)
  UNION
  SELECT r.event_id, d.decoy
  FROM event_refs r JOIN decoy d
       ON r.service = 'dynamodb'
      AND (r.resource = 'table/' || d.name
           OR substr(r.resource, 1, length(d.name) + 7) = 'table/' || d.name || '/')
  WHERE (d.acct IS NULL OR r.account = d.acct) AND (d.reg IS NULL OR r.region = d.reg)
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(e.event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(e.event_ts), 'unixepoch') AS last_seen,
       count(DISTINCT e.event_id) AS event_count,
       e.account_id, sole(e.aws_region) AS aws_region, e.actor_arn AS principal_arn,
       sole(e.access_key_id) AS access_key_id, sole(e.source_ip) AS source_ip,
       coalesce(sole(e.table_name), t.decoy) AS table_name,
       id_list(e.event_name, e.event_ts) AS event_names,
       id_list(e.event_id, e.event_ts) AS event_ids,
       printf('decoy table %s touched by %d call(s): %s%s', t.decoy, count(DISTINCT e.event_id),
              id_list(e.event_name, e.event_ts),
              CASE WHEN sum(e.error_code IS NOT NULL) > 0
                   THEN printf(' (%d refused: %s)', sum(e.error_code IS NOT NULL),
                               id_list(e.error_code, e.event_ts)) ELSE '' END)
       || CASE WHEN count(DISTINCT e.principal_arn) > 1
               THEN '; sessions: ' || id_list(arn_session(e.principal_arn), e.event_ts) ELSE '' END
         AS detail,
       json_array(e.actor_arn, t.decoy) AS group_key
FROM touched t JOIN events e ON e.event_id = t.event_id
WHERE e.actor_kind IS NOT 'aws-service'
GROUP BY e.actor_arn, e.account_id, t.decoy
