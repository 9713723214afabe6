/**
 * Office keys fit every column that keeps one. An office is stored as a short key: an office code
 * (EMERGENCY_MANAGEMENT, 20 characters, is the longest) or a township's 9-digit code
 * (domain/cases/offices.ts). Monitoring kept its alerts' verifier and actor offices in 16 characters
 * after the case tables were widened to 24, and opened its alerts with INSERT IGNORE, which cuts a
 * value too long instead of refusing it: an alert routed to such an office would have named another.
 * Checked in a database the hub's migrations made, not in the table definitions, since what the
 * server holds is what counts.
 */
import { eq } from 'drizzle-orm';
import { DEFAULT_LIMIT } from '../domain/monitoring/triggers';
import { openOrRaiseAlerts, moveAlertRow } from '../db/monitoring/store';
import { monitoringAlert, monitoringAlertEvent } from '../db/monitoring/schema';
import { aidCase, caseEvent } from '../db/cases/schema';
import { OFFICE_CODES } from '../domain/departments';
import { OFFICE_KEY_MAX_LENGTH } from '../domain/cases/offices';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';

jest.setTimeout(120_000);

/** The longest office key there is. */
const LONGEST = [...OFFICE_CODES, '370811001'].reduce((a, b) => (b.length > a.length ? b : a));

let dbs: TestDatabases;

beforeAll(async () => {
  dbs = await createTestDatabases('office_keys');
  await insertRegions(dbs);
});

afterAll(async () => {
  await dbs?.close();
});

it('every office code fits the office-key width', () => {
  expect(LONGEST).toBe('EMERGENCY_MANAGEMENT');
  expect(LONGEST.length).toBeLessThanOrEqual(OFFICE_KEY_MAX_LENGTH);
});

it('every column that keeps an office key or a department code holds the longest', async () => {
  const [rows] = await dbs.hubPool.query(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, CHARACTER_MAXIMUM_LENGTH AS len FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND (COLUMN_NAME LIKE '%office' OR COLUMN_NAME LIKE '%department' OR COLUMN_NAME = 'convened_by')
      ORDER BY TABLE_NAME, COLUMN_NAME`,
  );
  const columns = (rows as { t: string; c: string; len: number | null }[]).map((r) => ({ column: `${r.t}.${r.c}`, length: Number(r.len) }));
  // The query finds them: the ones named in the task and the case tables' widened in 0003_office_keys.
  expect(columns.map((c) => c.column)).toEqual(expect.arrayContaining(['monitoring_alert.verifier_office', 'monitoring_alert_event.actor_office', 'aid_case.owner_office', 'referral_slip.to_office', 'case_meeting.convened_by']));
  expect(columns.filter((c) => !(c.length >= OFFICE_KEY_MAX_LENGTH))).toEqual([]);
});

it('an alert routed to the longest office, moved by that office up to the case it opens, keeps the key whole', async () => {
  const wangId = await insertWang(dbs);
  const now = new Date(`${TODAY}T10:00:00+08:00`);
  const changes = await dbs.hub.transaction((tx) =>
    openOrRaiseAlerts(
      tx,
      [
        {
          identity: 'office-keys-longest'.padEnd(40, '0'),
          triggerId: 'T4_JOB_LOSS',
          grade: 'YELLOW',
          subjectIdNumber: WANG.head,
          householdId: wangId,
          regionCode: WANG.regionCode,
          townshipCode: WANG.regionCode.slice(0, 9),
          verifierOffice: LONGEST,
          monitored: false,
          evidence: ['失业登记'],
          evidenceRefs: [],
          measure: 1,
          firstClueOn: TODAY,
          acknowledgeBy: TODAY,
          verifyBy: TODAY,
          decideBy: TODAY,
          provisional: false,
          // Days given, not counted from a limit: no count to count again under another calendar.
          acknowledgeWorkingDays: null,
          verifyWorkingDays: null,
          decideWorkingDays: null,
          verifyDays: null,
          decideDays: null,
          limit: DEFAULT_LIMIT,
        },
      ],
      'POLL',
      now,
    ),
  );
  expect(changes).toHaveLength(1);
  const alertId = changes[0].alert.id;
  const acknowledged = await moveAlertRow(dbs.hub, alertId, { move: 'ACKNOWLEDGE', actor: 'office-keys/ack', office: LONGEST, reason: null, now });
  expect(acknowledged.ok).toBe(true);
  const verified = await moveAlertRow(dbs.hub, alertId, {
    move: 'VERIFY',
    actor: 'office-keys/verify',
    office: LONGEST,
    reason: '入户核实',
    outcome: 'NEEDS_AID',
    now,
    openCase: { summary: '监测预警核实需救助', townshipCode: WANG.regionCode.slice(0, 9), urgency: 'NORMAL' },
  });
  expect(verified.ok).toBe(true);

  const [alert] = await dbs.hub.select().from(monitoringAlert).where(eq(monitoringAlert.id, alertId));
  expect(alert.verifierOffice).toBe(LONGEST);
  const events = await dbs.hub.select({ action: monitoringAlertEvent.action, office: monitoringAlertEvent.actorOffice }).from(monitoringAlertEvent).where(eq(monitoringAlertEvent.alertId, alertId)).orderBy(monitoringAlertEvent.seq);
  expect(events).toEqual([
    { action: 'OPENED', office: 'HUB' },
    { action: 'ACKNOWLEDGED', office: LONGEST },
    { action: 'VERIFIED', office: LONGEST },
  ]);
  const [opened] = await dbs.hub.select({ first: aidCase.firstOffice, owner: aidCase.ownerOffice }).from(aidCase).where(eq(aidCase.id, alert.caseId!));
  expect(opened).toEqual({ first: LONGEST, owner: LONGEST });
  const [openedEvent] = await dbs.hub.select({ office: caseEvent.actorOffice }).from(caseEvent).where(eq(caseEvent.caseId, alert.caseId!));
  expect(openedEvent.office).toBe(LONGEST);
});
