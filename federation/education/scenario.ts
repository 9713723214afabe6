/**
 * 教育's rows for test scenarios (test/support/scenarios.ts): a student and the funding paid to
 * them, so that no file outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { xsFunding, xsStudent } from './tables';

export async function insertStudent(db: SourceDb, student: typeof xsStudent.$inferInsert, funding: (typeof xsFunding.$inferInsert)[]): Promise<void> {
  await db.insert(xsStudent).values(student);
  if (funding.length > 0) await db.insert(xsFunding).values(funding);
}
