/**
 * 医保's rows for test scenarios (test/support/scenarios.ts): hospital settlements, so that no file
 * outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { miSettlement } from './tables';

export async function insertSettlements(db: SourceDb, settlements: (typeof miSettlement.$inferInsert)[]): Promise<void> {
  await db.insert(miSettlement).values(settlements);
}
