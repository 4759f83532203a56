-- id: DDB-IAM-USER-KEY
-- title: DynamoDB used with a long-term IAM user key
-- severity: medium
-- description: A DynamoDB call was made by an IAM user, with a long-term access key (AKIA...), or
--   in a session an IAM user's key opened (GetFederationToken's FederatedUser, whose session
--   issuer is the user; GetSessionToken's, which CloudTrail logs as the IAMUser): the actor is
--   the user whatever the session is called.
--   Long-term keys do not expire, leak through code, laptops and CI logs, and are the usual
--   starting point of DynamoDB data theft; workloads should use roles and temporary
--   credentials.
-- mitre: T1078.004, T1552.001
-- stage: credential-use
-- story: long-term key used
-- references: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles
-- falsepositives: Legacy integrations that cannot assume roles yet.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id,
       sole(aws_region) AS aws_region,
       actor_arn AS principal_arn, access_key_id,
       sole(source_ip) AS source_ip,
       sole(table_name) AS table_name,
       id_list(table_name, event_ts) AS tables,
       id_list(event_name, event_ts) AS event_names,
       id_list(event_id, event_ts) AS event_ids,
       printf('%s key %s made %d DynamoDB call(s) from %d source IP(s)%s',
              coalesce(max(identity_type), 'long-term'), coalesce(access_key_id, '(no key)'),
              count(*), count(DISTINCT source_ip),
              CASE WHEN max(identity_type) = 'FederatedUser'
                   THEN ' (a federation token of ' || actor_arn || ')' ELSE '' END) AS detail,
       json_array(actor_arn, access_key_id) AS group_key
FROM events NOT INDEXED
WHERE event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
  AND (actor_kind = 'user' OR (credential_kind = 'long-term' AND identity_type IS NOT 'Root'))
GROUP BY actor_arn, access_key_id, account_id
