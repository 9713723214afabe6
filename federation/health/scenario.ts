/**
 * 医保's rows for test scenarios and benches (hospital settlements and the aid paid outside them),
 * under names that say what they are, in the one shape every department gives them
 * (federation/scenario-kit.ts): the rest of the code writes, reads and counts them through it, so
 * that no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { health } from './adapter';
import { miAidPayment, miSettlement } from './tables';

export const healthScenario = departmentScenario({
  settlements: scenarioTable(miSettlement, (r) => sourceRefOf(health.recordKinds.miSetl, r.setlId)),
  aidPayments: scenarioTable(miAidPayment, (r) => sourceRefOf(health.recordKinds.miAidPay, r.payId)),
});

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
