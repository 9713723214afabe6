/**
 * For demo and test set-ups: each department's front-end database, created and brought up to date
 * with its folder's migrations, next to the hub's own. Production department databases belong to
 * the departments and already exist; the hub never migrates them.
 */
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';
import { ensureDatabase, migrateUrl, provisionHub } from '../db/setup/provision';
import { ADAPTERS } from './registry';

export async function provisionSource(code: DepartmentCode, url: string): Promise<void> {
  await ensureDatabase(url);
  await migrateUrl(url, ADAPTERS[code].migrationsFolder, ADAPTERS[code].migrationsTable);
}

export async function provisionDatabases(hubUrl: string, sourceUrls: Record<DepartmentCode, string>): Promise<void> {
  await provisionHub(hubUrl);
  await Promise.all(DEPARTMENT_CODES.map((code) => provisionSource(code, sourceUrls[code])));
}

