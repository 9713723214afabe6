/**
 * What `npm run bench:pregrant` and `npm run bench:pregrant-garbage` share: a real hub (access layer
 * and all) in this thread on a private MariaDB holding N generated households, a client's token,
 * the proposals a department system sends (what departments grant most, for sampled living people)
 * and the households the background queries read. The hub runs as it ships: both benches import
 * bench/lib/production.ts first (NODE_ENV=production), and a hub started otherwise is refused. Not a test.
 */
import http from 'node:http';
import { isMainThread, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { createClient } from '../../access/clients';
import { OFFICE_ROLES } from '../../access/policy';
import { accessDbOf } from '../../db/access/db';
import { loadConfig } from '../../db/config';
import { createPool, hubDrizzle } from '../../db/connect';
import { addDays } from '../../domain/dates';
import { DEPARTMENT_CODES } from '../../domain/departments';
import { closeSources, openSources } from '../../federation/sources';
import { createHubServer } from '../../server/app';
import { SCENARIOS } from '../../test/support/scenarios-by-department';
import { benchData, log, rowCounts } from '../findings-setup';

export const REFERENCE_DATE = '2026-03-15';

export const PREGRANT = `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear conflicts warnings complete findings { rule { id } severity } } }`;
export const HOUSEHOLD = `query($id: ID!) { household(id: $id) { members { person { idNumber name } } aid { programme { code } amountFen period { start end } grantDate } sources { available } } }`;

/** The hub listening on a free port of 127.0.0.1, its client's token, and what the callers send. */
export async function startPregrantHub(opts: { households: number; requests: number; dataDir?: string; keep: boolean; durable: boolean }) {
  const data = await benchData({ households: opts.households, seed: 1, referenceDate: REFERENCE_DATE, dataDir: opts.dataDir, keep: opts.keep, durable: opts.durable });
  const pool = createPool(data.hubUrl, { connectionLimit: 20 });
  const hub = hubDrizzle(pool);
  const config = { ...loadConfig(data.hubUrl, { ...process.env, ...Object.fromEntries(DEPARTMENT_CODES.map((c) => [`SOURCE_${c}_URL`, data.sourceUrls[c]])) }), port: 0, rateLimitPerMinute: 10_000_000 };
  // Outside production every request would count its statements (server/app.ts), 7–11% more garbage a request.
  if (!config.production) throw new Error('bench:pregrant measures the hub as it ships: NODE_ENV=production (bench/lib/production.ts, imported first)');
  const sources = openSources(config.sources);
  const server = await createHubServer({ config, hub, sources, logger: pino({ level: 'silent' }), today: () => REFERENCE_DATE });
  await new Promise<void>((resolve) => server.httpServer.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/graphql`;
  const close = async () => {
    await server.apollo.stop();
    await closeSources(sources);
    await pool.end();
    await data.discard();
  };
  try {
    const counts = await rowCounts(data);
    log(`data: ${counts.households} households, ${counts.people} people, ${counts.departmentRows} department rows (loaded in ${data.loadSeconds.toFixed(1)} s)`);
    const { token } = await createClient(accessDbOf(hub), { name: `bench-pregrant-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: OFFICE_ROLES });
    const auth = { authorization: `Bearer ${token}` };

    // The sample: people in households, people with a standing settlement, households to query.
    const conn = await mysql.createConnection({ uri: data.hubUrl, dateStrings: true });
    const [maxRow] = await conn.query<mysql.RowDataPacket[]>('SELECT MAX(id) AS n FROM household');
    const maxId = Number(maxRow[0].n);
    const householdIds = Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919 + 13) % maxId));
    // Only the living are proposed: aid dated after a beneficiary's death is refused (AFTER_DEATH,
    // BENEFICIARY_DECEASED), an answer the bench would count as a failure.
    const [people] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT m.id_number FROM household_member m JOIN person p ON p.id_number = m.id_number WHERE m.household_id IN (?) AND m.left_on IS NULL AND (p.death_date IS NULL OR p.death_date >= ?)',
      [householdIds.slice(0, 2000), REFERENCE_DATE],
    );
    const [dead] = await conn.query<mysql.RowDataPacket[]>('SELECT id_number FROM person WHERE death_date < ?', [REFERENCE_DATE]);
    await conn.end();
    const deceased = new Set(dead.map((p) => p.id_number as string));
    const stays = (await SCENARIOS.HEALTH.rows(sources.HEALTH.db, 'settlements', { refdSetlFlag: '0' }, 2000)).filter((stay) => !deceased.has(stay.psnCertNo));
    const ids = people.map((p) => p.id_number as string);
    const nextMonth = `${addDays(`${REFERENCE_DATE.slice(0, 7)}-28`, 10).slice(0, 7)}-01`;
    const proposals = Array.from({ length: opts.requests }, (_, i): Record<string, unknown> => {
      const who = ids[i % ids.length];
      switch (i % 5) {
        case 0:
          return { beneficiaryIdNumber: who, programme: 'TEMP_AID', grantDate: REFERENCE_DATE, amountFen: 200_000, cause: ['ILLNESS', 'ACCIDENT', 'JOB_LOSS'][i % 3] };
        case 1:
          return { beneficiaryIdNumber: who, programme: 'DIBAO', periodStart: nextMonth, amountFen: 72_000 };
        case 2:
          return { beneficiaryIdNumber: who, programme: 'TEKUN', periodStart: nextMonth, amountFen: 90_000 };
        case 3:
          return { beneficiaryIdNumber: who, programme: 'DISABILITY_NURSING', periodStart: nextMonth, amountFen: 10_000 };
        default: {
          const stay = stays[i % stays.length];
          return { beneficiaryIdNumber: stay.psnCertNo, programme: 'MEDICAL_AID', grantDate: REFERENCE_DATE, amountFen: 50_000, settlementReference: stay.setlId };
        }
      }
    });
    return { endpoint, auth, proposals, householdIds, server, sources, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface Reply {
  status: number;
  body: { data?: unknown; errors?: { extensions?: { code?: string } }[]; extensions?: { sqlStatements?: { total: number } } };
}

/** POSTs a query with a purpose over keep-alive sockets, as a department system's caller does. */
export function client(endpoint: string, headers: Record<string, string>, sockets: number) {
  // Idle sockets are closed here after 4 s, before the server's 5 s keep-alive timeout closes them:
  // sockets opened in one burst of the open loop otherwise sit idle together and are closed by the
  // server at the same moment, and a request and its one retry could both meet one being closed.
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, timeout: 4000 });
  const url = new URL(endpoint);
  // A keep-alive socket the server closed just as it was reused resets before the request is read:
  // such a request (a read) is sent again, once, and its latency counts both attempts.
  const send = (query: string, variables: Record<string, unknown>, purpose: string, retry = true): Promise<Reply> =>
    once(query, variables, purpose).catch((err: NodeJS.ErrnoException) => {
      if (retry && err.code === 'ECONNRESET') return send(query, variables, purpose, false);
      throw err;
    });
  const once = (query: string, variables: Record<string, unknown>, purpose: string): Promise<Reply> => {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-purpose': purpose, ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  return send;
}

/** A bench file's entry: `main` in the main thread (its failure printed, exit 1), `caller(workerData)` in the callers' thread. */
export function mainOrCaller<T>(main: () => Promise<void>, caller: (data: T) => void): void {
  if (!isMainThread) return caller(workerData as T);
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
