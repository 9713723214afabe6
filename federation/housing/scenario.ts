/**
 * 住建's rows for test scenarios (test/support/scenarios.ts): a public-rental application and its
 * allocations, so that no file outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { gzfAllocation, gzfApplication } from './tables';

export async function insertRentalApplication(db: SourceDb, application: typeof gzfApplication.$inferInsert, allocations: (typeof gzfAllocation.$inferInsert)[]): Promise<void> {
  await db.insert(gzfApplication).values(application);
  if (allocations.length > 0) await db.insert(gzfAllocation).values(allocations);
}
