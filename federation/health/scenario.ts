/**
 * 医保's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts): hospital
 * settlements, so that no file outside this folder names its tables.
 */
import { eq, min } from 'drizzle-orm';
import type { SourceDb } from '../contract';
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { health } from './adapter';
import { miAidPayment, miSettlement } from './tables';

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

/** 医保's tables under the names the rest of the code uses (federation/scenario-kit.ts). */
export const healthScenario = departmentScenario({
  settlements: scenarioTable(miSettlement, (r) => sourceRefOf(health.recordKinds.miSetl, r.setlId)),
  aidPayments: scenarioTable(miAidPayment, (r) => sourceRefOf(health.recordKinds.miAidPay, r.payId)),
});
