/** Reading the audit trail straight from the hub's database, as the audit tests check what the hub wrote. */
import type { TestDatabases } from './databases';

/** The audit rows `where` keeps, in chain order. */
export async function auditRows(dbs: TestDatabases, where = '1=1', params: unknown[] = []): Promise<any[]> {
  const [r] = await dbs.hubPool.query(`SELECT * FROM access_log WHERE ${where} ORDER BY seq`, params);
  return r as any[];
}

/** The seq of the chain's last row. */
export async function lastAuditSeq(dbs: TestDatabases): Promise<number> {
  const [r] = await dbs.hubPool.query('SELECT last_seq FROM access_log_head WHERE id = 1');
  return Number((r as any[])[0].last_seq);
}
