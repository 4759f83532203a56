-- id: DDB-SCP-TAMPER
-- title: An Organizations guardrail over DynamoDB or regions weakened
-- severity: high
-- description: A call the catalogue says changes a guardrail, judged by what it changes. The
--   guard of a service control policy is read from its content: the DynamoDB and DAX actions
--   (or "*") its Deny statements deny, the actions its Deny-NotAction statements exempt, and
--   the regions its aws:RequestedRegion conditions fence; a Deny narrowed to some resources or
--   held back by a condition guards less than one on "*". Content is known from the request
--   (CreatePolicy, UpdatePolicy) or from the store's earlier events of that policy id. High:
--   UpdatePolicy that denies less than the content before it (an action or region fence
--   dropped, an action exempted, a region let in); DetachPolicy or DeletePolicy of a policy
--   whose content guards DynamoDB or regions. Critical: every SCP off at once
--   (DisablePolicyType SERVICE_CONTROL_POLICY, LeaveOrganization,
--   RemoveAccountFromOrganization). Medium: a policy detached or deleted whose content the
--   store does not hold (AWS's FullAWSAccess excepted: removing an Allow is stricter). Low:
--   UpdatePolicy to content that guards nothing, the content before it unknown. A policy
--   made stricter, created or attached to more targets is not tampering.
-- effects: changes-guardrail
-- mitre: T1562.001, T1484
-- stage: evasion
-- story: guardrail removed
-- references: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
-- falsepositives: A planned SCP redesign (suppress the organisation admin role with a reason
--   for its window).
WITH g AS (
  SELECT e.*, json_extract(e.request_parameters, '$.policyId') AS pid,
         json_extract(e.request_parameters, '$.content') AS content
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'changes-guardrail' AND e.error_code IS NULL
),
versions AS (
  -- every content the store saw a policy id given, and when
  SELECT coalesce(pid, json_extract(response_elements, '$.policy.policySummary.id')) AS pid,
         event_ts, event_id, content
  FROM g WHERE event_name IN ('CreatePolicy', 'UpdatePolicy') AND content IS NOT NULL
),
judged AS (
  SELECT g.*,
         (SELECT v.content FROM versions v
          WHERE v.pid = g.pid AND (v.event_ts < g.event_ts
                                   OR (v.event_ts = g.event_ts AND v.event_id < g.event_id))
          ORDER BY v.event_ts DESC, v.event_id DESC LIMIT 1) AS before
  FROM g
  WHERE event_name IN ('DetachPolicy', 'DeletePolicy')
     OR (event_name = 'UpdatePolicy' AND content IS NOT NULL) -- a rename changes no guard
),
docs AS (
  SELECT event_id, 'old' AS side, before AS doc FROM judged WHERE before IS NOT NULL
  UNION ALL
  SELECT event_id, 'new', content FROM judged WHERE event_name = 'UpdatePolicy' AND content IS NOT NULL
),
denies AS (
  SELECT d.event_id, d.side, s.value AS st
  FROM docs d, json_each(CASE json_type(d.doc, '$.Statement')
                           WHEN 'array' THEN json_extract(d.doc, '$.Statement')
                           ELSE json_array(json(json_extract(d.doc, '$.Statement'))) END) s
  WHERE json_valid(d.doc) AND json_extract(s.value, '$.Effect') = 'Deny'
),
guard AS (
  -- what a content guards, as atoms: "dynamodb:deletetable" denied everywhere, or
  -- "dynamodb:deletetable (on R if C)" denied only on some resources or under a condition
  -- (act holds the action alone), "!dynamodb:*" exempted from a Deny-NotAction,
  -- "region-fence" and "allowed eu-west-1" for a fence of allowed regions (a Not operator),
  -- "denied us-east-1" for regions denied by name
  SELECT DISTINCT event_id, side, atom, act FROM (
    SELECT event_id, side,
           lower(t.atom) || CASE WHEN coalesce(json_extract(st, '$.Resource'), '*') IN ('*', '["*"]')
                                  AND json_type(st, '$.Condition') IS NULL THEN ''
                             ELSE ' (on ' || coalesce(json_extract(st, '$.Resource'), '*')
                                  || coalesce(' if ' || json_extract(st, '$.Condition'), '') || ')'
                             END AS atom,
           lower(t.atom) AS act
    FROM denies, json_tree(st, '$.Action') t
    WHERE t.atom IS NOT NULL
      -- a region fence's "*" is the fence, below, not a deny of everything
      AND NOT instr(lower(coalesce(json_extract(st, '$.Condition'), '')), 'aws:requestedregion')
      AND (t.atom = '*' OR lower(t.atom) GLOB 'dynamodb:*'
                                  OR lower(t.atom) GLOB 'dax:*')
    UNION ALL
    SELECT event_id, side, '!' || lower(t.atom), NULL
    FROM denies, json_tree(st, '$.NotAction') t
    WHERE t.atom IS NOT NULL AND (lower(t.atom) GLOB 'dynamodb:*' OR lower(t.atom) GLOB 'dax:*')
    UNION ALL
    SELECT event_id, side, CASE WHEN op.key LIKE '%Not%' THEN 'allowed ' ELSE 'denied ' END || v.atom,
           NULL
    FROM denies, json_each(json_extract(st, '$.Condition')) op, json_each(op.value) c,
         json_tree(c.value) v
    WHERE json_type(st, '$.Condition') = 'object' AND op.type = 'object'
      AND lower(c.key) = 'aws:requestedregion' AND v.atom IS NOT NULL
    UNION ALL
    SELECT event_id, side, 'region-fence', NULL
    FROM denies, json_each(json_extract(st, '$.Condition')) op, json_each(op.value) c
    WHERE json_type(st, '$.Condition') = 'object' AND op.type = 'object' AND op.key LIKE '%Not%'
      AND lower(c.key) = 'aws:requestedregion')
),
lost AS (
  -- what an UpdatePolicy stopped guarding, or everything a removed policy guarded
  SELECT j.event_id, CASE o.atom WHEN 'region-fence' THEN 'the aws:RequestedRegion fence'
                              ELSE o.atom END AS what
  FROM judged j JOIN guard o ON o.event_id = j.event_id AND o.side = 'old'
  WHERE o.atom NOT GLOB '!*' AND o.atom NOT GLOB 'allowed *'
    AND (j.event_name <> 'UpdatePolicy'
         -- kept as it was, or now denied everywhere without condition (stricter)
         OR NOT EXISTS (SELECT 1 FROM guard n WHERE n.event_id = j.event_id AND n.side = 'new'
                                                AND (n.atom = o.atom OR n.atom = o.act)))
  UNION
  SELECT j.event_id, CASE WHEN n.atom GLOB '!*' THEN 'exempts ' || substr(n.atom, 2)
                          ELSE 'lets in ' || substr(n.atom, 9) END
  FROM judged j JOIN guard n ON n.event_id = j.event_id AND n.side = 'new'
  WHERE j.event_name = 'UpdatePolicy' AND j.before IS NOT NULL
    AND (n.atom GLOB '!*'
         OR (n.atom GLOB 'allowed *'
             AND EXISTS (SELECT 1 FROM guard f WHERE f.event_id = j.event_id AND f.side = 'old'
                                                 AND f.atom = 'region-fence')))
    AND NOT EXISTS (SELECT 1 FROM guard o WHERE o.event_id = j.event_id AND o.side = 'old'
                                            AND o.atom = n.atom)
),
found AS (
  SELECT event_time, account_id, aws_region, actor_arn, principal_arn, access_key_id, source_ip, event_name, event_id, 'critical' AS severity,
         CASE event_name
           WHEN 'DisablePolicyType'
             THEN printf('DisablePolicyType on root %s: no service control policy applies any more',
                         coalesce(json_extract(request_parameters, '$.rootId'), '?'))
           WHEN 'LeaveOrganization'
             THEN printf('account %s left its organisation: every SCP over it is gone',
                         coalesce(recipient_account_id, account_id))
           ELSE printf('account %s removed from the organisation: every SCP over it is gone',
                       coalesce(json_extract(request_parameters, '$.accountId'), '?'))
         END AS what
  FROM g
  WHERE event_name IN ('LeaveOrganization', 'RemoveAccountFromOrganization')
     OR (event_name = 'DisablePolicyType'
         AND json_extract(request_parameters, '$.policyType') = 'SERVICE_CONTROL_POLICY')
  UNION ALL
  SELECT event_time, account_id, aws_region, actor_arn, principal_arn, access_key_id, source_ip, event_name, event_id, 'high',
         printf('%s of %s%s: %s', event_name, pid,
                coalesce(' (target ' || json_extract(request_parameters, '$.targetId') || ')', ''),
                CASE WHEN event_name = 'UpdatePolicy' THEN 'now denies less: '
                     ELSE 'no longer guards: ' END
                || (SELECT group_concat(what, ', ') FROM lost l WHERE l.event_id = j.event_id))
  FROM judged j WHERE EXISTS (SELECT 1 FROM lost l WHERE l.event_id = j.event_id)
  UNION ALL
  SELECT event_time, account_id, aws_region, actor_arn, principal_arn, access_key_id, source_ip, event_name, event_id, 'medium',
         printf('%s of %s%s: the store holds no content of this policy, so what it guarded is '
                || 'unknown', event_name, pid,
                coalesce(' (target ' || json_extract(request_parameters, '$.targetId') || ')', ''))
  FROM judged j
  WHERE event_name IN ('DetachPolicy', 'DeletePolicy') AND before IS NULL
    AND pid IS NOT 'p-FullAWSAccess'
  UNION ALL
  SELECT event_time, account_id, aws_region, actor_arn, principal_arn, access_key_id, source_ip, event_name, event_id, 'low',
         printf('UpdatePolicy of %s: its content now denies nothing of DynamoDB or regions; the '
                || 'store holds no earlier content to compare', pid)
  FROM judged j
  WHERE event_name = 'UpdatePolicy' AND before IS NULL AND content IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM guard n WHERE n.event_id = j.event_id AND n.side = 'new'
                                            AND n.atom NOT GLOB '!*')
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip,
       NULL AS table_name, event_name AS event_names, event_id AS event_ids,
       what || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       severity, event_id AS group_key
FROM found
