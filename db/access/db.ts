/**
 * A drizzle instance over the access tables. It shares the hub's pool but not its statement
 * counter: the token look-up and the audit append are a fixed cost of every request, reported
 * apart from the data statements that `extensions.sqlStatements` counts. The audit reads an
 * auditor asks for are data statements: their instance is given the hub's counting logger
 * (server/app.ts).
 */
import type { Logger } from 'drizzle-orm';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import * as accessSchema from './schema';
import { hubDrizzle, type HubDb } from '../connect';

export type AccessDb = MySql2Database<typeof accessSchema>;

export function accessDrizzle(pool: mysql.Pool, logger?: Logger): AccessDb {
  return drizzle(pool, { schema: accessSchema, mode: 'default', logger });
}

/** The access tables over the hub's own pool (drizzle keeps the pool as `$client`). */
export function accessDbOf(hub: HubDb, logger?: Logger): AccessDb {
  return accessDrizzle((hub as unknown as { $client: mysql.Pool }).$client, logger);
}

/**
 * The hub's own tables over an access instance's pool (the reverse of accessDbOf): for a tool
 * handed the access tables that must also ask what the hub holds (`npm run clients` judging a
 * scope with divisionHeld).
 */
export function hubDbOf(access: AccessDb): HubDb {
  return hubDrizzle((access as unknown as { $client: mysql.Pool }).$client);
}

/** UTC time as DATETIME(3) text, the exact form the access tables store and the audit hash covers. */
export { toDbInstant as dbTime } from '../instants';
