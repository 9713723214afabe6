/**
 * 医保's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts): hospital
 * settlements and aid payments, so that no file outside this folder names its tables.
 */
import { eq, min } from 'drizzle-orm';
import type { SourceDb } from '../contract';
import { miAidPayment, miSettlement } from './tables';

export async function insertSettlements(db: SourceDb, settlements: (typeof miSettlement.$inferInsert)[]): Promise<void> {
  await db.insert(miSettlement).values(settlements);
}

/** Medical aid and premium subsidies the office paid (aidType 'MAF' medical aid, 'CBZZ' premium subsidy). */
export async function insertAidPayments(db: SourceDb, payments: (typeof miAidPayment.$inferInsert)[]): Promise<void> {
  await db.insert(miAidPayment).values(payments);
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
