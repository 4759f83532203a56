-- id: DDB-COGNITO-UNAUTH
-- title: Cognito guest identities reaching DynamoDB beyond keyed reads
-- severity: high
-- description: Calls by a Cognito identity pool's guest (unauthenticated) identities that go
--   beyond reading items by key: scans (the catalogue's scans-items), writes (readOnly false),
--   management calls (listing, describing), or any table outside cognito_guest_tables when
--   that is set. A guest is known by the claims CloudTrail records with its credentials
--   (webIdFederationData from cognito-identity.amazonaws.com whose amr says
--   unauthenticated), or by its role: a pool's unauthenticated role as SetIdentityPoolRoles in
--   the store named it, or one in cognito_guest_roles. Guests are anyone on the internet who
--   opens the app: what their role allows, everyone has. Also an identity pool whose
--   unauthenticated role is swapped (SetIdentityPoolRoles) for one the store saw given write
--   access to DynamoDB (high) or for another role whose policies the store does not hold
--   (medium), the guests' own role given DynamoDB writes (PutRolePolicy, AttachRolePolicy:
--   high), and guest access switched on for a pool (UpdateIdentityPool,
--   allowUnauthenticatedIdentities true: medium). Signed-in (authenticated) app users are the
--   recommended design and are not judged here.
-- effects: scans-items, changes-permissions
-- catalogue: writes-items, deletes-items, deletes-table, expires-items
-- mitre: T1078.004, T1530
-- stage: credential-use
-- story: Cognito guests over-privileged
-- references: https://docs.aws.amazon.com/cognito/latest/developerguide/role-based-access-control.html
-- falsepositives: An app whose guests legitimately write (a guest cart); list the tables in
--   cognito_guest_tables and suppress the writes with a reason.
WITH pools AS (
  -- every role a pool was told to give its guests, in order
  SELECT e.event_id, e.event_ts, e.actor_arn, e.principal_arn, e.account_id, e.aws_region,
         e.access_key_id, e.source_ip, e.event_time, e.event_name,
         coalesce(json_extract(e.request_parameters, '$.identityPoolId'),
                  json_extract(e.response_elements, '$.identityPoolId')) AS pool,
         json_extract(e.request_parameters, '$.roles.unauthenticated') AS guest_role
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'changes-permissions' AND e.error_code IS NULL
    AND e.event_source = 'cognito-identity.amazonaws.com'
),
guest_roles AS (
  SELECT guest_role AS arn FROM pools WHERE guest_role IS NOT NULL
  UNION SELECT value FROM settings_list WHERE key = 'cognito_guest_roles'
),
guest_calls AS (
  SELECT e.*,
         e.event_id IN (SELECT event_id FROM event_effects WHERE effect = 'scans-items') AS scans,
         CASE WHEN e.table_name IS NOT NULL
                   AND EXISTS (SELECT 1 FROM settings_list WHERE key = 'cognito_guest_tables')
                   AND e.table_name NOT IN (SELECT value FROM settings_list
                                            WHERE key = 'cognito_guest_tables')
              THEN e.table_name END AS off_list
  FROM events e
  WHERE e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND ((e.web_id_provider = 'cognito-identity.amazonaws.com'
          AND instr(json_extract(e.web_id_attributes, '$."cognito-identity.amazonaws.com:amr"'),
                    'unauthenticated') > 0)
         OR e.session_issuer_arn IN (SELECT arn FROM guest_roles))
),
beyond AS (
  SELECT * FROM guest_calls
  WHERE scans OR read_only = 0 OR event_category IS NOT 'Data' OR off_list IS NOT NULL
),
-- the role a pool's guests got before each SetIdentityPoolRoles, and what the store knows of
-- the new role's permissions (inline documents and managed policies named by its role name)
swaps AS (
  SELECT p.*,
         (SELECT q.guest_role FROM pools q
          WHERE q.pool = p.pool AND q.guest_role IS NOT NULL AND q.event_ts <= p.event_ts
            AND q.event_id <> p.event_id
          ORDER BY q.event_ts DESC LIMIT 1) AS before
  FROM pools p WHERE p.event_name = 'SetIdentityPoolRoles' AND p.guest_role IS NOT NULL
),
grants AS (
  SELECT s.event_id, json_extract(i.request_parameters, '$.policyDocument') AS doc,
         json_extract(i.request_parameters, '$.policyArn') AS parn
  FROM swaps s JOIN events i
       ON i.event_source = 'iam.amazonaws.com'
      AND i.event_name IN ('PutRolePolicy', 'AttachRolePolicy') AND i.error_code IS NULL
      AND substr(s.guest_role, -length(json_extract(i.request_parameters, '$.roleName')) - 1)
          = '/' || json_extract(i.request_parameters, '$.roleName')
  UNION ALL
  -- the way round a swap: the guests' own role given more
  SELECT i.event_id, json_extract(i.request_parameters, '$.policyDocument'),
         json_extract(i.request_parameters, '$.policyArn')
  FROM events i JOIN guest_roles g
       ON substr(g.arn, -length(json_extract(i.request_parameters, '$.roleName')) - 1)
          = '/' || json_extract(i.request_parameters, '$.roleName')
  WHERE i.event_source = 'iam.amazonaws.com' AND i.error_code IS NULL
    AND i.event_name IN ('PutRolePolicy', 'AttachRolePolicy')
),
writes AS (
  -- actions matched as IAM matches them against the catalogue's writing operations
  SELECT DISTINCT g.event_id
  FROM grants g,
       json_each(CASE json_type(g.doc, '$.Statement')
                   WHEN 'array' THEN json_extract(g.doc, '$.Statement')
                   ELSE json_array(json(json_extract(g.doc, '$.Statement'))) END) st,
       json_tree(st.value, '$.Action') a,
       (SELECT DISTINCT lower('dynamodb:' || event_name) AS action FROM effects
        WHERE event_source = 'dynamodb.amazonaws.com'
          AND effect IN ('writes-items', 'deletes-items', 'deletes-table', 'expires-items')) w
  WHERE json_valid(g.doc) AND json_extract(st.value, '$.Effect') = 'Allow'
    AND a.atom IS NOT NULL AND w.action GLOB lower(a.atom)
  UNION
  SELECT event_id FROM grants
  WHERE substr(parn, 25) IN ('AdministratorAccess', 'PowerUserAccess', 'AmazonDynamoDBFullAccess',
                             'AmazonDynamoDBFullAccess_v2')
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count, account_id, sole(aws_region) AS aws_region,
       actor_arn AS principal_arn, sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip, sole(table_name) AS table_name,
       id_list(event_name, event_ts) AS event_names, id_list(event_id, event_ts) AS event_ids,
       printf('Cognito guests (role %s) made %d call(s) beyond keyed reads: %d scan(s), %d '
              || 'write(s), %d management call(s)%s, from %d address(es)',
              actor_arn, count(*), sum(scans), sum(read_only = 0),
              sum(event_category IS NOT 'Data'),
              coalesce('; tables outside cognito_guest_tables: '
                       || id_list(off_list, event_ts), ''),
              count(DISTINCT source_ip)) AS detail,
       'high' AS severity, json_array('guests', actor_arn) AS group_key
FROM beyond
GROUP BY actor_arn, account_id
UNION ALL
SELECT event_time, event_time, 1, account_id, aws_region, actor_arn, access_key_id, source_ip,
       NULL, event_name, event_id,
       CASE WHEN event_id IN (SELECT event_id FROM writes)
            THEN printf('identity pool %s now gives its guests %s, which the store saw granted '
                        || 'DynamoDB writes', pool, guest_role)
            ELSE printf('identity pool %s now gives its guests %s instead of %s; the store holds '
                        || 'none of its policies', pool, guest_role, before) END
       || coalesce(' (session ' || arn_session(principal_arn) || ')', ''),
       CASE WHEN event_id IN (SELECT event_id FROM writes) THEN 'high' ELSE 'medium' END,
       event_id
FROM swaps
WHERE event_id IN (SELECT event_id FROM writes)
   OR (before IS NOT NULL AND before <> guest_role
       AND event_id NOT IN (SELECT event_id FROM grants))
UNION ALL
SELECT i.event_time, i.event_time, 1, i.account_id, i.aws_region, i.actor_arn, i.access_key_id,
       i.source_ip, NULL, i.event_name, i.event_id,
       printf('%s gives role %s, which identity pools hand their guests, DynamoDB writes',
              i.event_name, json_extract(i.request_parameters, '$.roleName'))
       || coalesce(' (session ' || arn_session(i.principal_arn) || ')', ''),
       'high', i.event_id
FROM events i
WHERE i.event_source = 'iam.amazonaws.com' AND i.event_id IN (SELECT event_id FROM writes)
UNION ALL
SELECT p.event_time, p.event_time, 1, p.account_id, p.aws_region, p.actor_arn, p.access_key_id,
       p.source_ip, NULL, p.event_name, p.event_id,
       printf('identity pool %s now lets in guests (allowUnauthenticatedIdentities)', p.pool)
       || coalesce(' (session ' || arn_session(p.principal_arn) || ')', ''),
       'medium', p.event_id
FROM pools p JOIN events e ON e.event_id = p.event_id
WHERE p.event_name = 'UpdateIdentityPool'
  AND json_extract(e.request_parameters, '$.allowUnauthenticatedIdentities') = 1
  -- switched on, not re-saved: the pool's last earlier settings the store holds kept guests out
  AND coalesce((SELECT json_extract(q.request_parameters, '$.allowUnauthenticatedIdentities')
                FROM pools o JOIN events q ON q.event_id = o.event_id
                WHERE o.pool = p.pool AND o.event_ts < p.event_ts
                  AND o.event_name IN ('CreateIdentityPool', 'UpdateIdentityPool')
                ORDER BY o.event_ts DESC LIMIT 1), 0) = 0
