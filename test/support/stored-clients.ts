/**
 * A client row as an earlier release stored it, written straight to the hub database: before its
 * office was barred from a role (ROLE_OFFICES), which `npm run clients` and createClient now refuse.
 */
import { newToken, tokenHash } from '../../access/clients';
import type { TestDatabases } from './databases';

/** Its token. */
export async function storedBeforeTheRule(dbs: TestDatabases, name: string, department: string, roles: string): Promise<string> {
  const token = newToken();
  await dbs.hubPool.query('INSERT INTO api_client (name, department, region_scope, roles, token_hash, created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(3))', [name, department, '370800', roles, tokenHash(token)]);
  return token;
}
