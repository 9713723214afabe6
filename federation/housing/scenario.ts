/**
 * 住建's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts): a public-
 * rental application and its allocations, so that no file outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { housing } from './adapter';
import { gzfAllocation, gzfApplication, wfgzProject } from './tables';

export async function insertRentalApplication(db: SourceDb, application: typeof gzfApplication.$inferInsert, allocations: (typeof gzfAllocation.$inferInsert)[]): Promise<void> {
  await db.insert(gzfApplication).values(application);
  if (allocations.length > 0) await db.insert(gzfAllocation).values(allocations);
}

/** 住建's tables under the names the rest of the code uses (federation/scenario-kit.ts). */
export const housingScenario = departmentScenario({
  rentalApplications: scenarioTable(gzfApplication),
  rentalAllocations: scenarioTable(gzfAllocation, (r) => sourceRefOf(housing.recordKinds.gzfAllocation, r.allocId!)),
  renovations: scenarioTable(wfgzProject, (r) => sourceRefOf(housing.recordKinds.wfgzProject, r.projectId)),
});
