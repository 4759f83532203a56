-- id: DDB-SUSPICIOUS-AGENT
-- title: DynamoDB called by an attack tool
-- severity: high
-- description: The user agent of a DynamoDB call matches offensive_user_agents: penetration
--   testing distributions (Kali, Parrot, Pentoo) and AWS attack frameworks (Pacu,
--   CloudGoat, WeirdAAL, ...). Real workloads do not run from these.
-- mitre: T1078.004, T1588.002
-- stage: credential-use
-- story: attack tool
-- references: https://github.com/RhinoSecurityLabs/pacu
-- falsepositives: Authorised penetration tests.
-- How: the distinct user agents are collected in one pass (DISTINCT keeps only them) and
--   each is matched once, not once per event; regexp_try() finds the matches and the values
--   that hit PCRE2's limits, and only those are grouped by their first event, whose id names
--   the value in the limit warning when regexp() matches them again. Grouping every DynamoDB
--   event by user agent to name that event sorted them all: 31 days of 665 000 events,
--   0.49 s -> 0.20 s when no agent matches, 0.75 s -> 0.67 s with one that does
--   (`detect --threads 1 --only DDB-SUSPICIOUS-AGENT`, medians of 5).
WITH uas AS (
  SELECT DISTINCT user_agent FROM events NOT INDEXED
  WHERE event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND user_agent IS NOT NULL
),
hits AS MATERIALIZED (
  SELECT user_agent FROM uas u
  WHERE EXISTS (SELECT 1 FROM settings_list s
                WHERE s.key = 'offensive_user_agents'
                  AND regexp_try(s.value, u.user_agent) IS NOT 0)
),
agents AS MATERIALIZED (
  SELECT a.user_agent
  FROM (SELECT user_agent, min(event_id) AS first_id
        FROM (SELECT 1 WHERE EXISTS (SELECT 1 FROM hits)) CROSS JOIN events NOT INDEXED
        WHERE event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
          AND user_agent IN (SELECT user_agent FROM hits)
        GROUP BY user_agent) a
  WHERE EXISTS (SELECT 1 FROM settings_list s
                WHERE s.key = 'offensive_user_agents'
                  AND regexp(s.value, a.user_agent, a.first_id))
)
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id,
       sole(aws_region) AS aws_region,
       actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       sole(source_ip) AS source_ip,
       sole(table_name) AS table_name,
       id_list(table_name, event_ts) AS tables,
       id_list(event_name, event_ts) AS event_names,
       id_list(event_id, event_ts) AS event_ids,
       printf('%d DynamoDB call(s) with user agent "%s"', count(*), e.user_agent)
       || CASE WHEN count(DISTINCT principal_arn) > 1
                   THEN '; sessions: ' || id_list(arn_session(principal_arn), event_ts)
              ELSE '' END AS detail,
       json_array(actor_arn, e.user_agent) AS group_key
FROM events e NOT INDEXED JOIN agents a ON a.user_agent = e.user_agent
WHERE e.event_source IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
GROUP BY actor_arn, e.user_agent, account_id
