-- id: DDB-POLICY-EXPOSE
-- title: DynamoDB resource policy grants access outside the organisation
-- severity: critical
-- description: A resource policy was set (the catalogue's opens-access: PutResourcePolicy, a
--   CreateTable with resourcePolicy, any route added later) whose Allow statements name "*" or an account
--   other than the table's own and those in trusted_accounts (critical). A resource policy is
--   a door that bypasses the caller's own IAM: opening it to another account hands the data
--   over. "*" held in by a Condition, the way AWS documents sharing inside an organisation
--   (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceVpce, aws:SourceVpc, or
--   aws:PrincipalAccount / aws:SourceAccount naming only the table's or trusted accounts, under
--   a positive operator), is low, with the condition in detail. Deny statements never expose.
--   AWS services count too.
-- effects: opens-access
-- mitre: T1098, T1537
-- stage: collection
-- story: table opened by a resource policy
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
-- falsepositives: Sharing with a partner account not yet listed in trusted_accounts.
WITH p AS (
  SELECT e.*, coalesce(json_extract(e.request_parameters, '$.policy'),
                       json_extract(e.request_parameters, '$.resourcePolicy')) AS pol,
         -- the resource's account: the DynamoDB ARN the event names (the store's
         -- references: a table, stream or index ARN), the policy's own resourceArn or the
         -- tableArn AWS answered with first, else the log's
         coalesce((SELECT r.account FROM event_refs r
                   WHERE r.event_id = e.event_id AND r.kind = 'arn' AND r.service = 'dynamodb'
                     AND r.account <> ''
                   ORDER BY r.field <> 'resourceArn', r.field <> 'tableArn' LIMIT 1),
                  e.recipient_account_id) AS own
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'opens-access' AND e.error_code IS NULL
),
stmts AS (
  SELECT p.event_id, s.key AS sid, s.value AS st
  FROM p, json_each(CASE json_type(p.pol, '$.Statement')
                      WHEN 'array' THEN json_extract(p.pol, '$.Statement')
                      ELSE json_array(json(json_extract(p.pol, '$.Statement'))) END) s
  WHERE json_valid(p.pol) AND json_extract(s.value, '$.Effect') = 'Allow'
),
conds AS (
  -- one row per condition key of a statement, with each of its values
  SELECT st.event_id, st.sid, op.key AS op, c.key AS ckey,
         CASE c.type WHEN 'array' THEN v.value ELSE c.value END AS cval
  FROM stmts st, json_each(json_extract(st.st, '$.Condition')) op, json_each(op.value) c
       LEFT JOIN json_each(CASE c.type WHEN 'array' THEN c.value ELSE '[]' END) v
  WHERE json_type(st.st, '$.Condition') = 'object' AND op.type = 'object'
),
fences AS (
  -- statements whose "*" a condition keeps inside the organisation, a network or own accounts
  SELECT c.event_id, c.sid, group_concat(DISTINCT c.op || ' ' || c.ckey || ' ' || c.cval) AS why
  FROM conds c JOIN p ON p.event_id = c.event_id
  WHERE c.op NOT LIKE '%Not%' AND c.op NOT LIKE '%IfExists%'
    AND (lower(c.ckey) IN ('aws:principalorgid', 'aws:principalorgpaths', 'aws:sourcevpce',
                           'aws:sourcevpc')
         OR (lower(c.ckey) IN ('aws:principalaccount', 'aws:sourceaccount')
             AND NOT EXISTS (SELECT 1 FROM conds o
                             WHERE o.event_id = c.event_id AND o.sid = c.sid AND o.ckey = c.ckey
                               AND o.cval NOT IN (SELECT p.own UNION SELECT value FROM settings_list
                                                  WHERE key = 'trusted_accounts'))))
  GROUP BY c.event_id, c.sid
),
grants AS (
  SELECT st.event_id, st.sid, t.atom AS who
  FROM stmts st, json_tree(st.st, '$.Principal') t
  WHERE t.atom IS NOT NULL AND t.fullkey NOT LIKE '%.Service%'
),
bad AS (
  SELECT g.event_id, g.who, f.why
  FROM grants g JOIN p ON p.event_id = g.event_id
       LEFT JOIN fences f ON f.event_id = g.event_id AND f.sid = g.sid
  WHERE g.who = '*'
     OR coalesce(arn_account(g.who), '') NOT IN
          (SELECT p.own UNION SELECT value FROM settings_list WHERE key = 'trusted_accounts')
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip, table_name,
       event_name AS event_names, p.event_id AS event_ids,
       printf('resource policy on %s grants access to %s%s%s', coalesce(table_name, '?'),
              (SELECT group_concat(DISTINCT who) FROM bad b WHERE b.event_id = p.event_id),
              CASE WHEN NOT EXISTS (SELECT 1 FROM bad b WHERE b.event_id = p.event_id
                                                          AND (b.who <> '*' OR b.why IS NULL))
                   THEN ', held in by ' || (SELECT group_concat(DISTINCT why) FROM bad b
                                            WHERE b.event_id = p.event_id)
                   ELSE '' END,
              coalesce(' (session ' || arn_session(principal_arn) || ')', '')) AS detail,
       CASE WHEN NOT EXISTS (SELECT 1 FROM bad b WHERE b.event_id = p.event_id
                                                   AND (b.who <> '*' OR b.why IS NULL))
            THEN 'low' END AS severity,
       p.event_id AS group_key
FROM p
WHERE p.event_id IN (SELECT event_id FROM bad)
