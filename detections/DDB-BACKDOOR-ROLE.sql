-- id: DDB-BACKDOOR-ROLE
-- title: A role made to trust an outside account, then used on DynamoDB from there
-- severity: high
-- description: A role created or re-trusted (the catalogue's changes-trust: CreateRole,
--   UpdateAssumeRolePolicy) whose trust policy lets an account other than its own and those in
--   trusted_accounts assume it ("*", an account id, or an ARN of that account, in an Allow of
--   sts:AssumeRole). The trust change alone is medium: a way back in that outlives every
--   rotated key. When the store then holds an AssumeRole of that role by the outside account
--   and DynamoDB calls made with the credentials it issued (its access key), it is high, and
--   critical when those calls touch items (data events). This is how an intruder keeps access
--   (Stratus Red Team's IAM backdoor role). AWS services and the account's own principals
--   assuming the role are not outsiders.
-- effects: changes-trust
-- mitre: T1098.003, T1078.004
-- stage: credential-use
-- story: backdoor role
-- references: https://stratus-red-team.cloud/attack-techniques/AWS/aws.persistence.iam-backdoor-role/
-- falsepositives: A new partner or vendor account not yet in trusted_accounts.
WITH t AS (
  SELECT e.*, json_extract(e.request_parameters, '$.roleName') AS role,
         coalesce(json_extract(e.request_parameters, '$.assumeRolePolicyDocument'),
                  json_extract(e.request_parameters, '$.policyDocument')) AS doc,
         coalesce(e.recipient_account_id, e.account_id) AS own
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'changes-trust' AND e.error_code IS NULL
),
outsiders AS (
  SELECT t.event_id, group_concat(DISTINCT coalesce(arn_account(p.atom), p.atom)) AS who
  FROM t, json_each(CASE json_type(t.doc, '$.Statement')
                      WHEN 'array' THEN json_extract(t.doc, '$.Statement')
                      ELSE json_array(json(json_extract(t.doc, '$.Statement'))) END) s,
       json_tree(s.value, '$.Principal') p
  WHERE json_valid(t.doc) AND json_extract(s.value, '$.Effect') = 'Allow'
    AND EXISTS (SELECT 1 FROM json_tree(s.value, '$.Action') a
                WHERE lower(a.atom) IN ('sts:assumerole', 'sts:*', '*'))
    AND p.atom IS NOT NULL AND p.fullkey NOT LIKE '%.Service%'
    AND p.fullkey NOT LIKE '%.Federated%'
    AND coalesce(arn_account(p.atom), p.atom) NOT IN
          (SELECT t.own UNION SELECT value FROM settings_list WHERE key = 'trusted_accounts')
  GROUP BY t.event_id
),
doors AS (
  SELECT t.*, o.who, 'arn:aws:iam::' || t.own || ':role/' AS prefix
  FROM t JOIN outsiders o ON o.event_id = t.event_id
),
assumed AS (
  -- the role assumed from outside its account after the change, and the key it issued
  SELECT d.event_id AS door, a.event_id, a.event_ts, a.account_id AS by_account,
         json_extract(a.response_elements, '$.credentials.accessKeyId') AS issued
  FROM doors d JOIN events a
       ON a.event_source = 'sts.amazonaws.com' AND a.event_name = 'AssumeRole'
      AND a.error_code IS NULL AND a.event_ts >= d.event_ts
      AND substr(json_extract(a.request_parameters, '$.roleArn'), 1, length(d.prefix)) = d.prefix
      AND substr(json_extract(a.request_parameters, '$.roleArn'), -length(d.role) - 1)
          = '/' || d.role
      AND a.account_id IS NOT d.own AND a.identity_type IS NOT 'AWSService'
),
used AS (
  SELECT s.door, u.event_id, u.event_ts, u.event_category
  FROM assumed s JOIN events u ON u.access_key_id = s.issued
  WHERE s.issued IS NOT NULL AND u.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
)
SELECT d.event_time AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(d.event_ts, coalesce((SELECT max(event_ts) FROM used u
                                                                  WHERE u.door = d.event_id), 0)),
                'unixepoch') AS last_seen,
       1 + (SELECT count(*) FROM assumed s WHERE s.door = d.event_id)
         + (SELECT count(*) FROM used u WHERE u.door = d.event_id) AS event_count,
       d.account_id, d.aws_region, d.actor_arn AS principal_arn, d.access_key_id, d.source_ip,
       NULL AS table_name,
       d.event_name || coalesce(',' || (SELECT id_list(e.event_name, e.event_ts)
                                        FROM used u JOIN events e ON e.event_id = u.event_id
                                        WHERE u.door = d.event_id), '') AS event_names,
       d.event_id || coalesce(',' || (SELECT id_list(event_id, event_ts) FROM
                                      (SELECT event_id FROM assumed WHERE door = d.event_id
                                       UNION ALL SELECT event_id FROM used WHERE door = d.event_id)),
                              '') AS event_ids,
       printf('%s: role %s trusts %s, outside the account and trusted_accounts', d.event_name,
              d.prefix || d.role, d.who)
       || coalesce((SELECT printf('; assumed %d time(s) from %s, then %d DynamoDB call(s) with '
                                  || 'its credentials', count(DISTINCT s.event_id),
                                  id_list(s.by_account, s.event_ts),
                                  (SELECT count(*) FROM used u WHERE u.door = d.event_id))
                    FROM assumed s WHERE s.door = d.event_id HAVING count(*) > 0), '')
       || coalesce(' (session ' || arn_session(d.principal_arn) || ')', '') AS detail,
       CASE WHEN EXISTS (SELECT 1 FROM used u WHERE u.door = d.event_id
                                                AND u.event_category = 'Data') THEN 'critical'
            WHEN EXISTS (SELECT 1 FROM used u WHERE u.door = d.event_id) THEN 'high'
            ELSE 'medium' END AS severity,
       d.event_id AS group_key
FROM doors d
