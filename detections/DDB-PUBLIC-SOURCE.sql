-- id: DDB-PUBLIC-SOURCE
-- title: DynamoDB reached over the public internet
-- severity: medium
-- description: A DynamoDB call came from a public IP address with no VPC endpoint, from outside
--   trusted_cidrs. Workloads should reach DynamoDB through a VPC gateway endpoint, where
--   endpoint policies and network controls apply; a public source is either a
--   misconfigured workload or credentials used from somewhere else. High when the calls
--   include data-plane writes, except from a Lambda function outside any VPC (a role's calls
--   whose user agent all name the Lambda runtime, exec-env/AWS_Lambda_*): its public address
--   is AWS's egress, a practice gap (no endpoint) rather than an internet attacker, so it stays
--   medium and the detail says so. A user agent can be forged, which buys at most medium.
--   Cognito identities (credentials from an identity pool, as CloudTrail records them) are
--   app users on their own devices, the recommended design, not a workload off its path:
--   DDB-COGNITO-UNAUTH judges what guests do.
-- mitre: T1078.004, T1530
-- stage: credential-use
-- story: reached from the internet
-- references: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/vpc-endpoints-dynamodb.html
-- falsepositives: Developers on laptops or CI runners outside the corporate network; list their
--   egress ranges in trusted_cidrs.
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(event_ts), 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', max(event_ts), 'unixepoch') AS last_seen,
       count(*) AS event_count,
       account_id, aws_region, actor_arn AS principal_arn,
       sole(access_key_id) AS access_key_id,
       source_ip,
       sole(table_name) AS table_name,
       id_list(table_name, event_ts) AS tables,
       id_list(event_name, event_ts) AS event_names,
       id_list(event_id, event_ts) AS event_ids,
       printf('%d DynamoDB call(s) from public IP %s without a VPC endpoint (%d write(s), %d table(s))',
              count(*), source_ip, sum(read_only = 0), count(DISTINCT table_name))
       || CASE WHEN count(DISTINCT principal_arn) > 1
                   THEN '; sessions: ' || id_list(arn_session(principal_arn), event_ts) ELSE '' END
       || CASE WHEN min(actor_kind = 'role' AND user_agent LIKE '%exec-env/AWS_Lambda%') = 1
               THEN '; from a Lambda function outside any VPC (by its user agent): its address '
                    || 'is AWS egress, the gap is the missing VPC endpoint' ELSE '' END AS detail,
       CASE WHEN sum(event_category = 'Data' AND read_only = 0) > 0
                 AND min(actor_kind = 'role' AND user_agent LIKE '%exec-env/AWS_Lambda%') = 0
            THEN 'high' END AS severity,
       json_array(actor_arn, source_ip, aws_region) AS group_key
FROM events e NOT INDEXED
WHERE event_source = 'dynamodb.amazonaws.com'
  AND source_kind = 'public'
  AND vpc_endpoint_id IS NULL
  AND actor_kind IS NOT 'aws-service'
  AND web_id_provider IS NOT 'cognito-identity.amazonaws.com'
  AND NOT EXISTS (SELECT 1 FROM settings_list s
                  WHERE s.key = 'trusted_cidrs' AND ip_in_cidr(e.source_ip, s.value))
GROUP BY actor_arn, source_ip, aws_region, account_id
