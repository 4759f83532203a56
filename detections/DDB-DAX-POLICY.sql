-- id: DDB-DAX-POLICY
-- title: The DAX service role given DynamoDB write access
-- severity: high
-- description: A permission change on a DAX service role (dax_role_arns) that lets it write:
--   an inline policy put (PutRolePolicy), a managed policy attached (AttachRolePolicy), or a new
--   default version of a policy the store saw attached to it (CreatePolicyVersion with
--   setAsDefault, SetDefaultPolicyVersion), or its permissions boundary removed (medium: what
--   the boundary held back applies). A policy document is read, not grepped: an Allow
--   statement grants writing when one of its actions (wildcards as IAM matches them) covers a
--   DynamoDB operation the effect catalogue says writes, deletes, creates, opens, expires or
--   copies out data, or when it allows by NotAction. AWS managed policies known to write
--   (AdministratorAccess, PowerUserAccess, AmazonDynamoDBFullAccess and its variants) count;
--   a customer managed policy is judged by the content the store saw it created with. High
--   when it writes; medium when the store holds no content to judge. The guidance keeps the
--   DAX role read-only: a writing role turns a cache compromise into a data compromise. Making
--   it read-only, or attaching read-only policies, is not an alert. DDB-DAX-WRITE sees the
--   writes themselves.
-- effects: changes-permissions
-- catalogue: writes-items, deletes-items, deletes-table, creates-table, lowers-protection,
--   weakens-recovery, deletes-backup, opens-access, changes-access, expires-items,
--   copies-data-out
-- mitre: T1098.003
-- stage: credential-use
-- story: DAX role given write access
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAX.access-control.html
-- falsepositives: A write-through DAX design, where the role must write (then list no such
--   role in dax_role_arns).
-- requires: dax_role_arns
WITH writes AS (
  SELECT DISTINCT lower('dynamodb:' || event_name) AS action
  FROM effects
  WHERE event_source = 'dynamodb.amazonaws.com'
    AND effect IN ('writes-items', 'deletes-items', 'deletes-table', 'creates-table',
                   'lowers-protection', 'weakens-recovery', 'deletes-backup', 'opens-access',
                   'changes-access', 'expires-items', 'copies-data-out')
),
c AS (
  SELECT e.*, json_extract(e.request_parameters, '$.roleName') AS role,
         json_extract(e.request_parameters, '$.policyArn') AS parn
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'changes-permissions' AND e.error_code IS NULL
    AND e.event_source = 'iam.amazonaws.com'
),
dax AS (SELECT value AS arn FROM settings_list WHERE key = 'dax_role_arns'),
attached AS (
  -- managed policies the store saw attached to a DAX role
  SELECT DISTINCT parn FROM c JOIN dax ON substr(dax.arn, -length(c.role) - 1) = '/' || c.role
  WHERE c.event_name = 'AttachRolePolicy'
),
changes AS (
  SELECT c.*,
         (SELECT d.arn FROM dax d WHERE substr(d.arn, -length(c.role) - 1) = '/' || c.role)
           AS dax_role,
         CASE
           WHEN event_name IN ('PutRolePolicy', 'CreatePolicyVersion')
             THEN json_extract(request_parameters, '$.policyDocument')
           WHEN event_name = 'AttachRolePolicy' AND parn NOT LIKE 'arn:aws:iam::aws:policy/%'
             THEN (SELECT coalesce(json_extract(v.request_parameters, '$.policyDocument'), '')
                   FROM c v
                   WHERE v.event_name IN ('CreatePolicy', 'CreatePolicyVersion')
                     AND (json_extract(v.request_parameters, '$.policyArn') = c.parn
                          OR json_extract(v.response_elements, '$.policy.arn') = c.parn)
                     AND (v.event_name = 'CreatePolicy'
                          OR json_extract(v.request_parameters, '$.setAsDefault') = 1)
                     AND v.event_ts <= c.event_ts
                   ORDER BY v.event_ts DESC LIMIT 1)
         END AS doc,
         CASE WHEN parn LIKE 'arn:aws:iam::aws:policy/%'
              THEN substr(parn, 25) IN ('AdministratorAccess', 'PowerUserAccess',
                                        'AmazonDynamoDBFullAccess', 'AmazonDynamoDBFullAccess_v2',
                                        'AmazonDynamoDBFullAccesswithDataPipeline') END AS managed_writes
  FROM c
  WHERE (event_name IN ('PutRolePolicy', 'AttachRolePolicy', 'DeleteRolePermissionsBoundary')
         AND EXISTS (SELECT 1 FROM dax d WHERE substr(d.arn, -length(c.role) - 1) = '/' || c.role))
     OR (event_name = 'CreatePolicyVersion'
         AND json_extract(request_parameters, '$.setAsDefault') = 1
         AND parn IN (SELECT parn FROM attached))
     OR (event_name = 'SetDefaultPolicyVersion' AND parn IN (SELECT parn FROM attached))
),
allows AS (
  SELECT ch.event_id, s.value AS st
  FROM changes ch,
       json_each(CASE json_type(ch.doc, '$.Statement')
                   WHEN 'array' THEN json_extract(ch.doc, '$.Statement')
                   ELSE json_array(json(json_extract(ch.doc, '$.Statement'))) END) s
  WHERE json_valid(ch.doc) AND json_extract(s.value, '$.Effect') = 'Allow'
),
granted AS (
  SELECT a.event_id, w.action
  FROM allows a, json_tree(a.st, '$.Action') t, writes w
  WHERE t.atom IS NOT NULL AND w.action GLOB lower(t.atom)
  UNION
  SELECT a.event_id, 'everything but ' || json_extract(a.st, '$.NotAction')
  FROM allows a
  WHERE json_type(a.st, '$.NotAction') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM json_tree(a.st, '$.NotAction') t
                    WHERE lower(t.atom) IN ('*', 'dynamodb:*'))
),
judged AS (
  SELECT ch.*,
         CASE WHEN managed_writes THEN substr(parn, 25) || ' (AWS managed, writes DynamoDB)'
              ELSE (SELECT group_concat(action, ', ')
                    FROM (SELECT action FROM granted g WHERE g.event_id = ch.event_id
                          ORDER BY action LIMIT 6)) END AS grants,
         (SELECT count(*) FROM granted g WHERE g.event_id = ch.event_id) AS n,
         managed_writes IS NULL AND (doc IS NULL OR doc = '') AS unknown
  FROM changes ch
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       NULL AS table_name, event_name AS event_names, event_id AS event_ids,
       CASE WHEN event_name = 'DeleteRolePermissionsBoundary'
            THEN printf('permissions boundary removed from DAX role %s: whatever its policies '
                        || 'grant, writes included, now applies', coalesce(dax_role, role))
            WHEN grants IS NOT NULL
            THEN printf('%s on DAX role %s grants DynamoDB writes: %s%s', event_name,
                        coalesce(dax_role, role, parn), grants,
                        CASE WHEN n > 6 THEN printf(' and %d more', n - 6) ELSE '' END)
            ELSE printf('%s on DAX role %s (policy %s): the store holds no content of this '
                        || 'policy, so whether it writes is unknown', event_name,
                        coalesce(dax_role, role, '?'), coalesce(parn, '?')) END
       || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN grants IS NULL THEN 'medium' END AS severity,
       event_id AS group_key
FROM judged
WHERE grants IS NOT NULL OR unknown
