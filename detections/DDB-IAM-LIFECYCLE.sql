-- id: DDB-IAM-LIFECYCLE
-- title: An IAM user's key used on DynamoDB against its lifecycle
-- severity: high
-- description: An IAM user's DynamoDB use judged by the user's history in the store (the
--   catalogue's changes-identity: CreateUser, CreateAccessKey, UpdateAccessKey,
--   CreateLoginProfile, DeleteLoginProfile, RemoveUserFromGroup, AddUserToGroup). High: the
--   user, the key or a login profile created by another principal, or the key reactivated by
--   another principal, at most lifecycle_days before the first DynamoDB call after it (an
--   intruder minting their own way in); the user's console access or a group removed (being
--   offboarded) and DynamoDB used after it, with nothing restored since. Medium: the key's
--   first DynamoDB call after more than dormant_days of silence in the store (a forgotten key
--   picked up). A password reset (login deleted and made again by one principal within an
--   hour, a new password required) adds no login. The detail says what the history holds and
--   who changed it. Steady, uninterrupted use of a legacy key is DDB-IAM-USER-KEY's, and a
--   user changing their own keys (rotation) is no finding.
-- effects: changes-identity
-- mitre: T1098.001, T1078.004
-- stage: credential-use
-- story: user lifecycle broken
-- references: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
-- falsepositives: Provisioning a new service user with its key (suppress the provisioning role
--   for this rule with a reason); a quarterly job whose key sleeps between runs.
WITH c AS (
  SELECT e.*, coalesce(json_extract(e.request_parameters, '$.userName'),
                       -- no userName: the caller's own (a user minting its own key)
                       CASE WHEN e.identity_type = 'IAMUser'
                            THEN json_extract(e.response_elements, '$.accessKey.userName') END)
                AS target,
         coalesce(json_extract(e.request_parameters, '$.accessKeyId'),
                  json_extract(e.response_elements, '$.accessKey.accessKeyId')) AS key,
         coalesce(e.recipient_account_id, e.account_id) AS own
  FROM event_effects x JOIN events e ON e.event_id = x.event_id
  WHERE x.effect = 'changes-identity' AND e.error_code IS NULL
),
users AS (
  -- DynamoDB calls made with an IAM user's long-term key
  SELECT event_id, event_ts, principal_arn, access_key_id, account_id, source_ip,
         lag(event_ts) OVER (PARTITION BY access_key_id ORDER BY event_ts, event_id) AS prev_ts
  FROM events
  WHERE identity_type = 'IAMUser' AND access_key_id LIKE 'AKIA%'
    AND event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
),
minted AS (
  -- a user, key or login made or a key reactivated by someone else, then the first use after it
  SELECT c.event_id AS change_id, c.event_name, c.actor_arn AS changer, c.event_ts AS changed_ts,
         c.key, c.target,
         (SELECT u.event_id FROM users u
          WHERE substr(u.principal_arn, -length(c.target) - 1) = '/' || c.target
            AND arn_account(u.principal_arn) = c.own -- users with a path too
            AND u.event_ts >= c.event_ts AND u.event_ts - c.event_ts <= :lifecycle_days * 86400
            AND (c.key IS NULL OR u.access_key_id = c.key)
          ORDER BY u.event_ts LIMIT 1) AS use_id
  FROM c
  WHERE (c.event_name IN ('CreateUser', 'CreateAccessKey', 'CreateLoginProfile')
         OR (c.event_name = 'UpdateAccessKey'
             AND json_extract(c.request_parameters, '$.status') = 'Active'))
    AND c.target IS NOT NULL
    -- a password reset (the login deleted and made again by the same principal, the user made
    -- to choose a new password) replaces a login, it adds none
    AND NOT (c.event_name = 'CreateLoginProfile'
             AND json_extract(c.request_parameters, '$.passwordResetRequired') = 1
             AND EXISTS (SELECT 1 FROM c d
                         WHERE d.event_name = 'DeleteLoginProfile' AND d.target = c.target
                           AND d.own = c.own AND d.actor_arn IS c.actor_arn
                           AND d.event_ts BETWEEN c.event_ts - 3600 AND c.event_ts))
    AND NOT (c.identity_type = 'IAMUser'
             AND substr(c.principal_arn, -length(c.target) - 1) = '/' || c.target)
),
offboarded AS (
  -- console access or a group removed, then DynamoDB used, nothing given back in between
  SELECT c.event_id AS change_id, c.event_name, c.actor_arn AS changer, c.event_ts AS changed_ts,
         NULL AS key, c.target,
         (SELECT u.event_id FROM users u
          WHERE substr(u.principal_arn, -length(c.target) - 1) = '/' || c.target
            AND arn_account(u.principal_arn) = c.own -- users with a path too
            AND u.event_ts > c.event_ts
            AND NOT EXISTS (SELECT 1 FROM c r
                            WHERE r.target = c.target AND r.own = c.own
                              AND r.event_name IN ('CreateLoginProfile', 'AddUserToGroup')
                              AND r.event_ts > c.event_ts AND r.event_ts <= u.event_ts)
          ORDER BY u.event_ts LIMIT 1) AS use_id
  FROM c
  WHERE c.event_name IN ('DeleteLoginProfile', 'RemoveUserFromGroup') AND c.target IS NOT NULL
),
findings AS (
  SELECT m.change_id, m.use_id, 'high' AS severity,
         printf('%s for %s by %s, %s before its first DynamoDB call after it', m.event_name,
                m.target || coalesce(' (key ' || m.key || ')', ''), m.changer,
                CASE WHEN u.event_ts - m.changed_ts < 60
                     THEN printf('%d s', u.event_ts - m.changed_ts)
                     WHEN u.event_ts - m.changed_ts < 3600
                     THEN printf('%d min', (u.event_ts - m.changed_ts) / 60)
                     ELSE printf('%d h', (u.event_ts - m.changed_ts) / 3600) END) AS what
  FROM minted m JOIN users u ON u.event_id = m.use_id
  UNION ALL
  SELECT o.change_id, o.use_id, 'high',
         printf('%s for %s by %s on %s, and its key used on DynamoDB after it', o.event_name,
                o.target, o.changer, strftime('%Y-%m-%d', o.changed_ts, 'unixepoch'))
  FROM offboarded o WHERE o.use_id IS NOT NULL
  UNION ALL
  SELECT NULL, u.event_id, 'medium',
         printf('key %s used on DynamoDB after %d days of silence in the store (dormant_days is %d)',
                u.access_key_id, (u.event_ts - u.prev_ts) / 86400, :dormant_days)
  FROM users u WHERE u.event_ts - u.prev_ts > :dormant_days * 86400
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(coalesce(c.event_ts, u.event_ts)), 'unixepoch')
         AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(u.event_ts), 'unixepoch') AS last_seen,
       count(DISTINCT f.use_id) + count(DISTINCT f.change_id) AS event_count,
       u.account_id, NULL AS aws_region, u.principal_arn, u.access_key_id,
       sole(u.source_ip) AS source_ip, NULL AS table_name,
       id_list(coalesce(c.event_name, 'dormant key'), coalesce(c.event_ts, u.event_ts))
         AS event_names,
       id_list(coalesce(f.change_id, f.use_id), coalesce(c.event_ts, u.event_ts)) || ','
         || id_list(f.use_id, u.event_ts)
         AS event_ids,
       id_list(f.what, coalesce(c.event_ts, u.event_ts), '; ')
         -- a list keeps 20 (4 KiB at most): say when findings may have been left out
         || CASE WHEN count(DISTINCT f.what) > 20
                      OR length(id_list(f.what, coalesce(c.event_ts, u.event_ts), '; ')) > 2048
                 THEN printf(' (%d findings in all; the earliest are listed)', count(DISTINCT f.what))
                 ELSE '' END AS detail,
       CASE WHEN max(f.severity = 'high') THEN 'high' ELSE 'medium' END AS severity,
       json_array(u.principal_arn, u.access_key_id) AS group_key
FROM findings f JOIN users u ON u.event_id = f.use_id
     LEFT JOIN events c ON c.event_id = f.change_id
GROUP BY u.principal_arn, u.access_key_id
