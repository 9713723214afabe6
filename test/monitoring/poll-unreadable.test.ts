/**
 * The change feed past a department record the hub cannot read (docs/operations.md "When a
 * department's source misbehaves"). A union grant with its amount left NULL, about a person a
 * 人社 registration of unemployment touches: the poll used to fail on it (UNREADABLE_ROWS), its
 * watermark waited there until the union corrected the row, and every later change of 人社 waited
 * with it, so no alert was raised at all. Now the record is left out of that poll, the log counts it
 * by field without naming it, the job-loss alert is raised, and the watermark moves on.
 */
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/mysql2';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { monitoringAlert } from '../../db/monitoring/schema';
import { watermarks } from '../../db/monitoring/store';
import { polledFeeds } from '../../federation/change-feed';
import { humanResourcesScenario } from '../../federation/human-resources/scenario';
import { unionScenario } from '../../federation/union/scenario';
import { activeRuleSet } from '../../rules/load';
import { activeTriggerSet } from '../../rules/triggers-load';
import { MonitoringPoller, type PollerOptions } from '../../resolvers/monitoring/poller';
import { HubMetrics } from '../../server/metrics';
import { DEPARTMENT_CODES } from '../../domain/departments';
import { createTestDatabases, type TestDatabases } from '../support/databases';
import { insertRegions, insertResident, TODAY } from '../support/scenarios';

jest.setTimeout(180_000);

function named(table: MySqlTable): { name: string; col: Record<string, string> } {
  return { name: getTableName(table), col: Object.fromEntries(Object.entries(getTableColumns(table)).map(([k, c]) => [k, c.name])) };
}

const NOW = new Date(`${TODAY}T02:00:00.000Z`);
const REGISTRATIONS = humanResourcesScenario.tables.unemploymentRegistrations.table;
const FEED = polledFeeds('HUMAN_RESOURCES').find((f) => f.table === REGISTRATIONS)!.key;
const GRANTS = named(unionScenario.tables.grants.table);
const OPTS: PollerOptions = { intervalMs: { default: 3_600_000 }, leaseMs: 60_000, batchRows: 5000, monthlyRegion: null, commitLagMs: 0 };

let dbs: TestDatabases;
let union: mysql.Connection;
let hr: mysql.Connection;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dbs = await createTestDatabases('poll_unreadable');
  await insertRegions(dbs);
  union = await mysql.createConnection({ uri: dbs.sourceUrls.UNION });
  hr = await mysql.createConnection({ uri: dbs.sourceUrls.HUMAN_RESOURCES });
});

afterAll(async () => {
  await union?.end();
  await hr?.end();
  await dbs?.close();
});

it('raises the alert past a record it cannot read, counting the record in the log without naming it', async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const metrics = new HubMetrics(null);
  const deps = { hub: dbs.hub, sources: dbs.sourceSet, triggerSet: activeTriggerSet(), ruleSet: activeRuleSet(), now: () => NOW, metrics };
  const poller = new MonitoringPoller(deps, { ...OPTS, logger: pino({ level: 'info' }, sink) });
  try {
    // The first poll only sets the watermarks.
    await poller.tick('HUMAN_RESOURCES');
    const { idNumber } = await insertResident(dbs, { prefix: 'UNREAD', seq: 301, birthDate: '1979-03-03' });
    await unionScenario.insert(dbs.sources.UNION, 'workerFiles', { fileNo: 'GH-NULL-1', idCard: idNumber, employer: '济宁某厂', hardshipLevel: 1, fileDate: '2024-01-01' });
    await union.query(`ALTER TABLE ${GRANTS.name} MODIFY ${GRANTS.col.amountFen} INT NULL`);
    await union.query(
      `INSERT INTO ${GRANTS.name} (${GRANTS.col.fileNo}, ${GRANTS.col.grantType}, ${GRANTS.col.grantDate}, ${GRANTS.col.amountFen}, ${GRANTS.col.studentIdCard}, ${GRANTS.col.schoolYear}) VALUES ('GH-NULL-1', 'JQ', '2025-09-01', NULL, ?, '2025-2026')`,
      [idNumber],
    );
    const [res] = await drizzle(hr).insert(REGISTRATIONS).values({ sfzhm: idNumber, syrq: TODAY, djrq: TODAY, syyy: '02' });

    expect(await poller.tick('HUMAN_RESOURCES')).toMatchObject({ polled: true, rows: 1, alertsChanged: 1 });
    expect(await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.subjectIdNumber, idNumber))).toEqual([expect.objectContaining({ triggerId: 'T4_JOB_LOSS', detectedBy: 'POLL' })]);
    expect((await watermarks(dbs.hub, [FEED])).get(FEED)).toBe(res.insertId);

    const warned = logLines.filter((l) => l.msg === 'monitoring: records left out of a poll, unreadable');
    expect(warned).toEqual([expect.objectContaining({ polled: 'HUMAN_RESOURCES', department: 'UNION', unreadableRecords: { amountFen: 1 } })]);
    expect(JSON.stringify(logLines)).not.toContain(idNumber);
    // And on /metrics, where it had no counter: by the department holding the record.
    const scraped = await metrics.registry.metrics();
    expect(scraped).toMatch(/^aidhub_monitoring_poll_unreadable_records_total\{department="UNION"\} 1$/m);
    // No poll failed: every department's failure series is there at 0 (an alert on its increase sees the first).
    for (const department of DEPARTMENT_CODES) expect(scraped).toMatch(new RegExp(`^aidhub_monitoring_poll_failures_total\\{department="${department}"\\} 0$`, 'm'));

    // A poll that fails (the feed's table gone from under it) is counted by the department polled.
    await hr.query(`RENAME TABLE ${getTableName(REGISTRATIONS)} TO ${getTableName(REGISTRATIONS)}_away`);
    try {
      await expect(poller.tick('HUMAN_RESOURCES')).rejects.toThrow();
    } finally {
      await hr.query(`RENAME TABLE ${getTableName(REGISTRATIONS)}_away TO ${getTableName(REGISTRATIONS)}`);
    }
    expect(await metrics.registry.metrics()).toMatch(/^aidhub_monitoring_poll_failures_total\{department="HUMAN_RESOURCES"\} 1$/m);
  } finally {
    await poller.stop();
  }
});
