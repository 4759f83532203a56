-- id: DDB-KMS-TAMPER
-- title: KMS key protecting DynamoDB disabled, scheduled for deletion or re-policied
-- severity: high
-- description: A call the catalogue says weakens a KMS key (DisableKey, ScheduleKeyDeletion,
--   DeleteImportedKeyMaterial, PutKeyPolicy, and any route added later) on a key seen
--   protecting a DynamoDB table in the store (high), or on another key (low). A table whose
--   key is disabled or whose imported key material is deleted becomes unreadable: ransom
--   without touching the data. A table's key is read wherever a DynamoDB call names one
--   (kMSMasterKeyId, kMSMasterKeyArn at any depth: creates, imports, restores, updates,
--   describes). A new key policy is read, not counted: it matters when an Allow opens the key
--   to "*" unfenced (no kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID,
--   kms:ViaService or aws:SourceVpce condition) or to an account neither the key's nor in
--   trusted_accounts, or when a Deny takes away what DynamoDB needs (Decrypt, data keys,
--   grants); a policy that only restricts the key is not an alert.
-- effects: weakens-key, creates-table
-- mitre: T1485, T1486
-- stage: impact
-- story: table key disabled
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
-- falsepositives: Key rotation projects.
WITH table_keys AS (
  SELECT DISTINCT substr(t.atom, instr(t.atom, 'key/') + 4) AS key_id, e.table_name
  FROM events e,
       json_tree(json_array(json(coalesce(e.request_parameters, 'null')),
                            json(coalesce(e.response_elements, 'null')))) t
  WHERE e.event_source = 'dynamodb.amazonaws.com' AND e.error_code IS NULL
    AND e.table_name IS NOT NULL
    AND (e.event_name IN ('CreateTable', 'UpdateTable', 'DescribeTable')
         OR e.event_id IN (SELECT event_id FROM event_effects WHERE effect = 'creates-table'))
    AND t.key IN ('kMSMasterKeyId', 'kMSMasterKeyArn') AND t.atom IS NOT NULL
),
ops AS (
  SELECT e.*, json_extract(request_parameters, '$.keyId') AS kid,
         coalesce(arn_account(json_extract(request_parameters, '$.keyId')),
                  e.recipient_account_id) AS own
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'weakens-key' AND e.error_code IS NULL
),
kst AS (
  -- a new key policy's statements
  SELECT o.event_id, o.own, s.value AS st, json_extract(s.value, '$.Effect') AS eff
  FROM ops o,
       json_each(CASE json_type(json_extract(o.request_parameters, '$.policy'), '$.Statement')
                   WHEN 'array' THEN json_extract(json_extract(o.request_parameters, '$.policy'),
                                                  '$.Statement')
                   ELSE json_array(json(json_extract(json_extract(o.request_parameters, '$.policy'),
                                                     '$.Statement'))) END) s
  WHERE o.event_name = 'PutKeyPolicy'
    AND json_valid(json_extract(o.request_parameters, '$.policy'))
),
opened AS (
  -- an Allow to "*" with no condition fencing it to an account, organisation or service,
  -- or to an account that is neither the key's nor trusted
  SELECT k.event_id, group_concat(DISTINCT t.atom) AS who
  FROM kst k, json_tree(k.st, '$.Principal') t
  WHERE k.eff = 'Allow' AND t.atom IS NOT NULL AND t.fullkey NOT LIKE '%.Service%'
    AND ((t.atom = '*'
          AND NOT EXISTS (SELECT 1 FROM json_each(json_extract(k.st, '$.Condition')) op,
                                        json_each(op.value) c
                          WHERE lower(c.key) IN ('kms:calleraccount', 'aws:principalaccount',
                                                 'aws:principalorgid', 'aws:principalorgpaths',
                                                 'kms:viaservice', 'aws:sourcevpce')))
         OR (t.atom <> '*' AND coalesce(arn_account(t.atom), '') NOT IN
               (SELECT k.own UNION SELECT value FROM settings_list WHERE key = 'trusted_accounts')))
  GROUP BY k.event_id
),
denied AS (
  -- a Deny of what DynamoDB needs of the key (Decrypt, data keys, grants, or everything)
  SELECT k.event_id FROM kst k, json_each(CASE json_type(k.st, '$.Action')
                                            WHEN 'array' THEN json_extract(k.st, '$.Action')
                                            ELSE json_array(json_extract(k.st, '$.Action')) END) a
  WHERE k.eff = 'Deny'
    AND (a.value IN ('*', 'kms:*', 'kms:Decrypt', 'kms:CreateGrant', 'kms:DescribeKey')
         OR a.value LIKE 'kms:GenerateDataKey%')
  GROUP BY k.event_id
),
judged AS (
  -- a key policy counts only when it opens the key or takes DynamoDB's use of it away
  SELECT o.*, (SELECT who FROM opened p WHERE p.event_id = o.event_id) AS opened_to,
         o.event_id IN (SELECT event_id FROM denied) AS denies
  FROM ops o
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       -- the key's tables by name: the same list whatever order the store holds them in
       (SELECT id_list(t.table_name, 0) FROM table_keys t
        WHERE t.key_id = substr(o.kid, instr(o.kid, 'key/') + 4)) AS table_name,
       event_name AS event_names, event_id AS event_ids,
       printf('%s on KMS key %s%s', event_name, coalesce(kid, '?'),
              coalesce(' protecting DynamoDB table(s) ' ||
                       (SELECT id_list(t.table_name, 0, ', ') FROM table_keys t
                        WHERE t.key_id = substr(o.kid, instr(o.kid, 'key/') + 4)), ''))
         || CASE WHEN event_name <> 'PutKeyPolicy' THEN ''
                 ELSE coalesce('; the policy opens the key to ' || opened_to, '')
                      || CASE WHEN denies THEN '; the policy denies what DynamoDB needs of the key '
                                            || '(Decrypt, data keys, grants)' ELSE '' END END
         || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN NOT EXISTS (SELECT 1 FROM table_keys t
                             WHERE t.key_id = substr(o.kid, instr(o.kid, 'key/') + 4))
            THEN 'low' END AS severity,
       event_id AS group_key
FROM judged o
WHERE event_name <> 'PutKeyPolicy' OR opened_to IS NOT NULL OR denies
