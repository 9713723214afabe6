/**
 * openAlertsUnder (what a subscription made with deliverOpen is pushed of) reads the open alerts of its
 * regions through monitoring_alert_state_region, on the test's MariaDB, among many closed alerts of the
 * same village and many open ones of another county: through monitoring_alert_region it read every
 * alert of the regions, closed ones too (docs/performance.md), and through monitoring_alert_state_verify
 * every open alert of the province. Rows are cloned straight into monitoring_alert from one written
 * the hub's way.
 */
import { drizzle } from 'drizzle-orm/mysql2';
import type mysql from 'mysql2/promise';
import type { HubDb } from '../../db/connect';
import { openAlertsUnder } from '../../db/monitoring/store';
import { WANG_TOWNSHIP, writeWangJobLossAlert } from '../support/alerts';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, insertWang, TODAY } from '../support/scenarios';
import { EXPLAIN_ROWS } from '../support/statements';

const CLOSED = 20_000;
const OPEN = 30;
/** Open alerts of a village of 兖州区, outside the township asked about. */
const OPEN_ELSEWHERE = 20_000;
const ELSEWHERE = '370812001001';
let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('open_alerts_index');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  const alertId = await writeWangJobLossAlert(dbs, { identity: `open-alerts-index-${process.pid}`, householdId: wangId, now: () => new Date(`${TODAY}T02:00:00.000Z`) });
  const [columns] = await dbs.hubPool.query<mysql.RowDataPacket[]>(
    `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'monitoring_alert' AND COLUMN_NAME <> 'id' ORDER BY ORDINAL_POSITION`,
  );
  const names: string[] = columns.map((c) => c.name);
  const [[template]] = await dbs.hubPool.query<mysql.RowDataPacket[]>('SELECT * FROM monitoring_alert WHERE id = ?', [Number(alertId)]);
  // Each clone's identity is the template's (as wide as its column) with its number in front.
  const clone = (i: number, state: string, regionCode: string = template.region_code) =>
    names.map((n) => (n === 'identity' ? `${String(i).padStart(8, '0')}${template.identity.slice(8)}` : n === 'state' ? state : n === 'region_code' ? regionCode : template[n]));
  const rows = [
    ...Array.from({ length: CLOSED }, (_, i) => clone(i, i % 2 === 0 ? 'VERIFIED' : 'DISMISSED')),
    ...Array.from({ length: OPEN }, (_, i) => clone(CLOSED + i, 'NEW')),
    ...Array.from({ length: OPEN_ELSEWHERE }, (_, i) => clone(CLOSED + OPEN + i, i % 2 === 0 ? 'NEW' : 'ACKNOWLEDGED', ELSEWHERE)),
  ];
  for (let i = 0; i < rows.length; i += 2_000) await dbs.hubPool.query(`INSERT INTO monitoring_alert (${names.map((n) => `\`${n}\``).join(', ')}) VALUES ?`, [rows.slice(i, i + 2_000)]);
  await dbs.hubPool.query('ANALYZE TABLE monitoring_alert');
}, 300_000);

afterAll(async () => {
  await dbs?.close();
});

it('reads the open alerts of a township through monitoring_alert_state_region, past its closed ones', async () => {
  const statements: { sql: string; params: unknown[] }[] = [];
  const db = drizzle(dbs.hubPool, { logger: { logQuery: (sql, params) => statements.push({ sql, params }) } }) as unknown as HubDb;
  const open = await openAlertsUnder(db, { regionPrefixes: [WANG_TOWNSHIP], grades: [], triggerIds: [], limit: 10_001 });
  // The one written the hub's way and the open clones; none of the closed.
  expect(open).toHaveLength(OPEN + 1);
  expect(statements).toHaveLength(1);
  const [plan] = await dbs.hubPool.query<mysql.RowDataPacket[]>(`${EXPLAIN_ROWS} ${statements[0].sql}`, statements[0].params);
  expect(plan).toHaveLength(1);
  expect(plan[0].key).toBe('monitoring_alert_state_region');
});
