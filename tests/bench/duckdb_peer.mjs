// The peer to beat: what a data engineer would write instead of ddbtrail, DuckDB pointed
// at the gzip files answering ONE rule (DDB-IAM-USER-KEY's grouping), end to end.
// Usage: node duckdb_peer.mjs CORPUS_DIR; prints "principal<TAB>key<TAB>events" lines.
import { DuckDBInstance } from '@duckdb/node-api';
const dir = process.argv[2];
const t0 = process.hrtime.bigint();
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await db.connect();
const r = await c.runAndReadAll(`
  WITH ev AS (SELECT unnest(Records) AS e
              FROM read_json('${dir}/**/*.json.gz', format='unstructured', maximum_object_size=268435456))
  SELECT e.userIdentity.arn AS principal_arn, e.userIdentity.accessKeyId AS access_key_id,
         count(*) AS n
  FROM ev
  WHERE e.eventSource IN ('dynamodb.amazonaws.com', 'dax.amazonaws.com')
    AND (e.userIdentity.type = 'IAMUser'
         OR (starts_with(e.userIdentity.accessKeyId, 'AKIA') AND e.userIdentity.type IS DISTINCT FROM 'Root'))
  GROUP BY 1, 2 ORDER BY 1, 2`);
const t1 = process.hrtime.bigint();
for (const row of r.getRows()) console.log(`${row[0]}\t${row[1]}\t${row[2]}`);
console.error(`duckdb ${(Number(t1 - t0) / 1e9).toFixed(2)}`);
