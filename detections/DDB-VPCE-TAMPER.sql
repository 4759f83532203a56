-- id: DDB-VPCE-TAMPER
-- title: DynamoDB VPC endpoint deleted or its policy changed
-- severity: high
-- description: A VPC endpoint known to serve DynamoDB (created for the dynamodb service, listed
--   in trusted_vpc_endpoints, or seen carrying DynamoDB calls) was deleted or modified (high);
--   any other endpoint deletion is medium. Removing the endpoint pushes traffic onto the
--   internet or lifts the endpoint policy that limits which tables can be reached.
-- mitre: T1562.007, T1599
-- stage: evasion
-- story: VPC endpoint removed
-- references: https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-ddb.html
-- falsepositives: Network changes during maintenance windows.
WITH known AS (
  SELECT DISTINCT vpc_endpoint_id AS id FROM events
  WHERE event_source = 'dynamodb.amazonaws.com' AND vpc_endpoint_id IS NOT NULL
  UNION SELECT value FROM settings_list WHERE key = 'trusted_vpc_endpoints'
  UNION SELECT json_extract(response_elements, '$.CreateVpcEndpointResponse.vpcEndpoint.vpcEndpointId')
  FROM events
  WHERE event_name = 'CreateVpcEndpoint' AND request_parameters LIKE '%.dynamodb%'
),
hits AS (
  SELECT e.*, (SELECT group_concat(k.id) FROM known k
               WHERE k.id IS NOT NULL AND instr(e.request_parameters, k.id) > 0) AS ddb_ids
  FROM events e
  WHERE e.event_source = 'ec2.amazonaws.com' AND e.error_code IS NULL
    AND e.event_name IN ('DeleteVpcEndpoints', 'ModifyVpcEndpoint')
)
SELECT event_time AS first_seen, event_time AS last_seen, 1 AS event_count,
       account_id, aws_region, actor_arn AS principal_arn, access_key_id, source_ip, NULL AS table_name,
       event_name AS event_names, event_id AS event_ids,
       CASE WHEN ddb_ids IS NOT NULL
            THEN printf('%s on DynamoDB VPC endpoint %s', event_name, ddb_ids)
            ELSE printf('%s on a VPC endpoint not known to serve DynamoDB', event_name)
       END || coalesce(' (session ' || arn_session(principal_arn) || ')', '') AS detail,
       CASE WHEN ddb_ids IS NULL THEN 'medium' END AS severity,
       event_id AS group_key
FROM hits
WHERE ddb_ids IS NOT NULL OR event_name = 'DeleteVpcEndpoints'
