/**
 * 医保's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts): hospital
 * settlements, so that no file outside this folder names its tables.
 */
import { eq, min } from 'drizzle-orm';
import type { SourceDb } from '../contract';
import { miSettlement } from './tables';

export async function insertSettlements(db: SourceDb, settlements: (typeof miSettlement.$inferInsert)[]): Promise<void> {
  await db.insert(miSettlement).values(settlements);
}

/** Each insured person's first settlement that was not reversed, by ID number (a proposal names one). */
export async function firstSettlements(db: SourceDb): Promise<Map<string, string>> {
  const rows = await db
    .select({ idNumber: miSettlement.psnCertNo, setlId: min(miSettlement.setlId) })
    .from(miSettlement)
    .where(eq(miSettlement.refdSetlFlag, '0'))
    .groupBy(miSettlement.psnCertNo);
  return new Map(rows.map((r) => [r.idNumber, r.setlId!]));
}

/** One inpatient settlement as medical insurance's own system has it (amounts in yuan, as text). */
export interface DepartmentSettlement {
  setlId: string;
  idNumber: string;
  hospital: string;
  admittedOn: string;
  settledOn: string;
  diagnosis: string;
  totalYuan: string;
  fundPaidYuan: string;
  outOfPocketYuan: string;
}

/**
 * Writes a settlement the way the department's system writes its front-end database: a plain
 * INSERT over a connection of its own, naming only its own columns (the database sets `updt_time`),
 * with nothing of the hub in the path. For the monitoring tests and the latency bench.
 */
export async function writeSettlementAsDepartment(conn: { query(sql: string, values: unknown[]): Promise<unknown> }, s: DepartmentSettlement): Promise<void> {
  await conn.query(
    `INSERT INTO mi_setl (setl_id, psn_cert_no, fixmedins_name, adm_date, dscg_date, setl_date, dise_name, medfee_sumamt, hifp_pay, hifmi_pay, maf_pay, psn_pay)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)`,
    [s.setlId, s.idNumber, s.hospital, s.admittedOn, s.settledOn, s.settledOn, s.diagnosis, s.totalYuan, s.fundPaidYuan, s.outOfPocketYuan],
  );
}

/** The department corrects a settlement where it stands (no new row; the database moves `updt_time`). */
export async function correctSettlementAsDepartment(conn: { query(sql: string, values: unknown[]): Promise<unknown> }, setlId: string, amounts: { totalYuan: string; outOfPocketYuan: string }): Promise<void> {
  await conn.query('UPDATE mi_setl SET medfee_sumamt = ?, psn_pay = ? WHERE setl_id = ?', [amounts.totalYuan, amounts.outOfPocketYuan, setlId]);
}
