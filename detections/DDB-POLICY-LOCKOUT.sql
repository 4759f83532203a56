-- id: DDB-POLICY-LOCKOUT
-- title: A DynamoDB resource policy locks the owner out
-- severity: critical
-- description: A resource policy was set (the catalogue's opens-access: PutResourcePolicy, a
--   CreateTable with resourcePolicy) with a Deny statement for every principal ("*", or all
--   but those a NotPrincipal names) over all
--   of DynamoDB ("*", "dynamodb:*") or over the resource policy itself (DeleteResourcePolicy,
--   PutResourcePolicy, so it cannot be undone), held back only by exempting chosen principals
--   (a Not operator on aws:PrincipalArn, aws:userid, aws:username or aws:PrincipalAccount) or
--   by nothing at all. Critical when nobody is exempt or an exempt principal is outside the
--   table's account and trusted_accounts (ransom: access back for a payment); high when only
--   principals of the account are exempt (everyone else, the account's admins too, is out). A
--   Deny that fences
--   outsiders (aws:PrincipalOrgID, aws:PrincipalAccount naming the table's own account,
--   aws:SourceVpce, aws:SourceVpc), or one held back by any other condition (insecure
--   transport), is not a lock-out.
-- effects: opens-access
-- mitre: T1486, T1098
-- stage: impact
-- story: owner locked out
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/rbac-examples.html
-- falsepositives: A deliberate "only this application role" perimeter on a sensitive table
--   (suppress it for that table with a reason).
WITH p AS (
  SELECT e.*, coalesce(json_extract(e.request_parameters, '$.policy'),
                       json_extract(e.request_parameters, '$.resourcePolicy')) AS pol,
         coalesce(arn_account(json_extract(e.request_parameters, '$.resourceArn')),
                  e.recipient_account_id) AS own
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'opens-access' AND e.error_code IS NULL
),
stmts AS (
  SELECT p.event_id, s.key AS sid, s.value AS st
  FROM p, json_each(CASE json_type(p.pol, '$.Statement')
                      WHEN 'array' THEN json_extract(p.pol, '$.Statement')
                      ELSE json_array(json(json_extract(p.pol, '$.Statement'))) END) s
  WHERE json_valid(p.pol) AND json_extract(s.value, '$.Effect') = 'Deny'
    -- every principal, or every principal but those NotPrincipal names
    AND (EXISTS (SELECT 1 FROM json_tree(s.value, '$.Principal') t WHERE t.atom = '*')
         OR json_type(s.value, '$.NotPrincipal') IS NOT NULL)
    -- all of DynamoDB, or the means to undo the policy
    AND EXISTS (SELECT 1 FROM json_tree(s.value, '$.Action') a
                WHERE lower(a.atom) IN ('*', 'dynamodb:*', 'dynamodb:deleteresourcepolicy',
                                        'dynamodb:putresourcepolicy'))
),
conds AS (
  SELECT st.event_id, st.sid, op.key AS op, lower(c.key) AS ckey,
         CASE c.type WHEN 'array' THEN v.value ELSE c.value END AS cval
  FROM stmts st, json_each(json_extract(st.st, '$.Condition')) op, json_each(op.value) c
       LEFT JOIN json_each(CASE c.type WHEN 'array' THEN c.value ELSE '[]' END) v
  WHERE json_type(st.st, '$.Condition') = 'object' AND op.type = 'object'
  UNION ALL
  -- NotPrincipal exempts its principals as an ArnNotEquals on aws:PrincipalArn would
  SELECT st.event_id, st.sid, 'ArnNotEquals', 'aws:principalarn', t.atom
  FROM stmts st, json_tree(st.st, '$.NotPrincipal') t
  WHERE t.atom IS NOT NULL AND t.fullkey NOT LIKE '%.Service%'
),
locks AS (
  -- statements held back by nothing, or only by principals exempted from them
  SELECT st.event_id, st.sid,
         (SELECT group_concat(DISTINCT c.cval) FROM conds c
          WHERE c.event_id = st.event_id AND c.sid = st.sid) AS exempt
  FROM stmts st
  WHERE NOT EXISTS (
    SELECT 1 FROM conds c JOIN p ON p.event_id = c.event_id
    WHERE c.event_id = st.event_id AND c.sid = st.sid
      AND NOT (c.op LIKE '%Not%'
               AND c.ckey IN ('aws:principalarn', 'aws:userid', 'aws:username')
               OR (c.op LIKE '%Not%' AND c.ckey = 'aws:principalaccount'
                   AND c.cval NOT IN (SELECT p.own UNION SELECT value FROM settings_list
                                      WHERE key = 'trusted_accounts'))))
),
judged AS (
  SELECT p.*, l.exempt,
         EXISTS (SELECT 1 FROM conds c JOIN locks k ON k.event_id = c.event_id AND k.sid = c.sid
                 WHERE c.event_id = p.event_id
                   AND (coalesce(arn_account(c.cval), c.cval) NOT IN
                          (SELECT p.own UNION SELECT value FROM settings_list
                           WHERE key = 'trusted_accounts'))
                   AND c.ckey IN ('aws:principalarn', 'aws:principalaccount')) AS outside
  FROM p JOIN locks l ON l.event_id = p.event_id
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip, table_name,
       event_name AS event_names, event_id AS event_ids,
       CASE WHEN group_concat(exempt) IS NULL
            THEN printf('resource policy on %s denies DynamoDB to every principal, the owner '
                        || 'included', coalesce(table_name, '?'))
            ELSE printf('resource policy on %s denies DynamoDB to every principal but %s%s',
                        coalesce(table_name, '?'), group_concat(DISTINCT exempt),
                        CASE WHEN max(outside) THEN ', outside the account' ELSE '' END) END
       || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN group_concat(exempt) IS NOT NULL AND NOT max(outside) THEN 'high' END AS severity,
       event_id AS group_key
FROM judged
GROUP BY event_id
