/**
 * 工会's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts): a hardship-
 * worker file and the grants made on it, so that no file outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { union } from './adapter';
import { ghGrant, ghWorkerFile } from './tables';

export async function insertWorkerFile(db: SourceDb, file: typeof ghWorkerFile.$inferInsert, grants: (typeof ghGrant.$inferInsert)[]): Promise<void> {
  await db.insert(ghWorkerFile).values(file);
  if (grants.length > 0) await db.insert(ghGrant).values(grants);
}

/** 工会's tables under the names the rest of the code uses (federation/scenario-kit.ts). */
export const unionScenario = departmentScenario({
  workerFiles: scenarioTable(ghWorkerFile, (r) => sourceRefOf(union.recordKinds.ghWorkerFile, r.fileNo)),
  grants: scenarioTable(ghGrant, (r) => sourceRefOf(union.recordKinds.ghGrant, r.grantNo!)),
});
