/**
 * 工会's rows for test scenarios (test/support/scenarios.ts): a hardship-worker file and the grants
 * made on it, so that no file outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { ghGrant, ghWorkerFile } from './tables';

export async function insertWorkerFile(db: SourceDb, file: typeof ghWorkerFile.$inferInsert, grants: (typeof ghGrant.$inferInsert)[]): Promise<void> {
  await db.insert(ghWorkerFile).values(file);
  if (grants.length > 0) await db.insert(ghGrant).values(grants);
}
