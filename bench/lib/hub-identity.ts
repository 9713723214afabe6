/**
 * Who the bench is to the hub. Every hub request needs an API client's token and a purpose
 * (access/http.ts), so the bench creates one client in its own throwaway hub database: a
 * civil-affairs caseworker (ID numbers in clear, health detail allowed) whose region scope covers
 * every generated household, stating ELIGIBILITY_REVIEW. The hub then answers in full, exactly
 * what the floor and the naive variant answer without any access layer.
 */
import type mysql from 'mysql2/promise';
import { createClient } from '../../access/clients';
import type { HubDb } from '../../db/connect';
import { accessDbOf } from '../../db/access/db';

/** The narrowest division (city, else province) holding every household. */
async function scopeOfAll(pool: mysql.Pool): Promise<string> {
  const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT DISTINCT LEFT(region_code, 4) AS city FROM household');
  const cities = rows.map((r) => String(r.city));
  if (cities.length === 1) return `${cities[0]}00`;
  const provinces = new Set(cities.map((c) => c.slice(0, 2)));
  if (provinces.size === 1) return `${[...provinces][0]}0000`;
  throw new Error(`the generated households span ${provinces.size} provinces; no one client scope covers them`);
}

/** Request headers that identify the bench's client to the hub. */
export async function benchIdentity(hub: HubDb, pool: mysql.Pool): Promise<Record<string, string>> {
  const { token } = await createClient(accessDbOf(hub), {
    name: 'bench',
    department: 'CIVIL_AFFAIRS',
    regionScope: await scopeOfAll(pool),
    roles: ['CASEWORKER'],
  });
  return { authorization: `Bearer ${token}`, 'x-purpose': 'ELIGIBILITY_REVIEW' };
}
