/**
 * 教育's rows for test scenarios (test/support/scenarios.ts): a student and the funding paid to
 * them, so that no file outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { education } from './adapter';
import { xsFunding, xsStudent } from './tables';

export async function insertStudent(db: SourceDb, student: typeof xsStudent.$inferInsert, funding: (typeof xsFunding.$inferInsert)[]): Promise<void> {
  await db.insert(xsStudent).values(student);
  if (funding.length > 0) await db.insert(xsFunding).values(funding);
}

/** 教育's tables under the names the rest of the code uses (federation/scenario-kit.ts). */
export const educationScenario = departmentScenario({
  students: scenarioTable(xsStudent),
  funding: scenarioTable(xsFunding, (r) => sourceRefOf(education.recordKinds.xsFunding, r.fundingId!)),
});
