/**
 * Alerts raised before the decision limit existed got the published 15 days from migration 0008,
 * whatever the locality's triggers file gives their grade. Migration 0009 marks them; a hub starting
 * counts their decision day under the file in force (resolvers/monitoring/decide-by-backfill.ts),
 * once, never for an alert whose limit came from its raise, and hub processes starting at once
 * count each alert once between them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settleBackfilledDecisionDays } from '../../resolvers/monitoring/decide-by-backfill';
import { loadTriggerSet, TRIGGERS_FILE_ENV } from '../../rules/triggers-load';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { migrationStatement } from '../support/migration-statement';
import { startTestHub, type TestHub } from '../support/hub';
import { writeWangJobLossAlert } from '../support/alerts';
import { insertRegions, insertWang, TODAY } from '../support/scenarios';

jest.setTimeout(180_000);

/** The locality's file: every grade's own decision limit, and T4's YELLOW in working days. */
const LOCAL = {
  limits: {
    RED: { acknowledgeWorkingDays: 1, verifyDays: 5, decideDays: 8 },
    ORANGE: { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 15 },
    YELLOW: { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 18 },
  },
  triggers: [{ id: 'T4_JOB_LOSS', limits: { YELLOW: { acknowledgeWorkingDays: 1, verifyWorkingDays: 10, decideWorkingDays: 12 } } }],
};

describe('decision days of alerts raised before the limit', () => {
  let dbs: TestDatabases;
  const hubs: TestHub[] = [];
  const ids: Record<'yellow' | 'red' | 'removed' | 'raisedLocal' | 'raisedLater', string> = { yellow: '', red: '', removed: '', raisedLocal: '', raisedLater: '' };
  const now = () => new Date(`${TODAY}T02:00:00.000Z`);
  let file: string;

  const rows = async () =>
    Object.fromEntries(
      (
        (await dbs.hubPool.query('SELECT id, DATE_FORMAT(decide_by, "%Y-%m-%d") AS decideBy, decide_by_backfilled AS marked FROM monitoring_alert ORDER BY id'))[0] as { id: number; decideBy: string; marked: number }[]
      ).map((r) => [String(r.id), { decideBy: r.decideBy, marked: Boolean(r.marked) }]),
    );

  beforeAll(async () => {
    dbs = await createTestDatabases('decide_by_backfill');
    await insertRegions(dbs);
    const wangId = await insertWang(dbs);
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'triggers-')), 'local.json');
    fs.writeFileSync(file, JSON.stringify(LOCAL));
    // As 0008 left them: the published 15 days (30 March), whatever their trigger and grade.
    for (const k of ['yellow', 'red', 'removed'] as const) ids[k] = await writeWangJobLossAlert(dbs, { identity: `backfill-${k}`, householdId: wangId, now });
    await dbs.hubPool.query("UPDATE monitoring_alert SET grade = 'RED' WHERE id = ?", [ids.red]);
    // A trigger the locality has since removed: the file's limits for the grade.
    await dbs.hubPool.query("UPDATE monitoring_alert SET trigger_id = 'T9_REMOVED' WHERE id = ?", [ids.removed]);
    // Raised since 0008 under a file of 20 days: its limit came from its raise.
    const twenty = { triggers: [{ id: 'T4_JOB_LOSS', limits: { YELLOW: { acknowledgeWorkingDays: 1, verifyDays: 15, decideDays: 20 } } }] };
    const twentyFile = path.join(path.dirname(file), 'twenty.json');
    fs.writeFileSync(twentyFile, JSON.stringify(twenty));
    ids.raisedLocal = await writeWangJobLossAlert(dbs, { identity: 'backfill-raised-local', householdId: wangId, now, triggerSet: loadTriggerSet({ [TRIGGERS_FILE_ENV]: twentyFile }) });
    await dbs.hubPool.query(migrationStatement('monitoring', '0009_decide_by_backfilled.sql', 'UPDATE'));
    // Raised after the upgrade, with the published limit again: never marked, so never counted again.
    ids.raisedLater = await writeWangJobLossAlert(dbs, { identity: 'backfill-raised-later', householdId: wangId, now });
  });

  afterAll(async () => {
    delete process.env[TRIGGERS_FILE_ENV];
    await Promise.all(hubs.map((h) => h.close()));
    await dbs?.close();
  });

  it('marks only the alerts holding the default, and two hubs starting at once count each under its grade’s limit in the file in force', async () => {
    expect(await rows()).toEqual({
      [ids.yellow]: { decideBy: '2026-03-30', marked: true },
      [ids.red]: { decideBy: '2026-03-30', marked: true },
      [ids.removed]: { decideBy: '2026-03-30', marked: true },
      [ids.raisedLocal]: { decideBy: '2026-04-04', marked: false },
      [ids.raisedLater]: { decideBy: '2026-03-30', marked: false },
    });
    process.env[TRIGGERS_FILE_ENV] = file;
    hubs.push(...(await Promise.all([startTestHub(dbs, { purpose: 'MONITORING' }), startTestHub(dbs, { purpose: 'MONITORING', client: { name: 'second-hub-client' } })])));
    expect(await rows()).toEqual({
      // T4's YELLOW: 12 working days from Sunday 15 March.
      [ids.yellow]: { decideBy: '2026-03-31', marked: false },
      // RED (the file's T4 names YELLOW only): the set's 8 days.
      [ids.red]: { decideBy: '2026-03-23', marked: false },
      [ids.removed]: { decideBy: '2026-04-02', marked: false },
      [ids.raisedLocal]: { decideBy: '2026-04-04', marked: false },
      [ids.raisedLater]: { decideBy: '2026-03-30', marked: false },
    });
    // What the API answers, and what overdueReport judges by.
    const read = await hubs[0].gql(`query($id: ID!) { alert(id: $id) { decideBy } }`, { id: ids.yellow });
    expect(read.data.alert).toEqual({ decideBy: '2026-03-31' });
  });

  it('counts each marked alert once whatever the number of processes, and nothing the second time', async () => {
    const before = await rows();
    await dbs.hubPool.query('UPDATE monitoring_alert SET decide_by = DATE_ADD(first_clue_on, INTERVAL 15 DAY), decide_by_backfilled = TRUE WHERE id IN (?, ?, ?)', [ids.yellow, ids.red, ids.removed]);
    const set = loadTriggerSet({ [TRIGGERS_FILE_ENV]: file });
    const counted = await Promise.all([1, 2, 3].map(() => settleBackfilledDecisionDays(dbs.hub, set)));
    expect(counted.reduce((a, b) => a + b, 0)).toBe(3);
    const after = await rows();
    expect(after).toEqual(before);
    expect(Object.values(after).every((r) => !r.marked)).toBe(true);
    expect(await settleBackfilledDecisionDays(dbs.hub, set)).toBe(0);
    expect(await rows()).toEqual(after);
  });
});
