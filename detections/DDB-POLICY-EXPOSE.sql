-- id: DDB-POLICY-EXPOSE
-- title: DynamoDB resource policy grants access outside the organisation
-- severity: critical
-- description: PutResourcePolicy attached a policy whose Allow statements name "*" or an account
--   other than the table's own and those in trusted_accounts. A resource policy is a door
--   that bypasses the caller's own IAM: opening it to another account hands the data over.
-- mitre: T1098, T1537
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/access-control-resource-based.html
-- falsepositives: Sharing with a partner account not yet listed in trusted_accounts.
WITH p AS (
  SELECT e.*, json_extract(request_parameters, '$.policy') AS pol,
         coalesce(arn_account(json_extract(request_parameters, '$.resourceArn')),
                  recipient_account_id) AS own
  FROM events e
  WHERE event_source = 'dynamodb.amazonaws.com' AND event_name = 'PutResourcePolicy'
    AND error_code IS NULL
),
stmts AS (
  SELECT p.event_id, s.value AS st
  FROM p, json_each(CASE json_type(p.pol, '$.Statement')
                      WHEN 'array' THEN json_extract(p.pol, '$.Statement')
                      ELSE json_array(json(json_extract(p.pol, '$.Statement'))) END) s
  WHERE json_valid(p.pol)
),
grants AS (
  SELECT st.event_id, t.atom AS who
  FROM stmts st, json_tree(st.st, '$.Principal') t
  WHERE json_extract(st.st, '$.Effect') = 'Allow' AND t.atom IS NOT NULL
    AND t.fullkey NOT LIKE '%.Service%'
),
bad AS (
  SELECT g.event_id, g.who FROM grants g JOIN p ON p.event_id = g.event_id
  WHERE g.who = '*'
     OR coalesce(arn_account(g.who), '') NOT IN
          (SELECT p.own UNION SELECT value FROM settings_list WHERE key = 'trusted_accounts')
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, principal_arn, access_key_id, source_ip, table_name,
       event_name AS event_names, p.event_id AS event_ids,
       printf('resource policy on %s grants access to %s', coalesce(table_name, '?'),
              (SELECT group_concat(DISTINCT who) FROM bad b WHERE b.event_id = p.event_id)) AS detail,
       p.event_id AS group_key
FROM p
WHERE p.event_id IN (SELECT event_id FROM bad)
