/**
 * The README's walk-through of the whole loop ("The whole loop with the demo's own clients"), run
 * as written: its sh block, taken from README.md, runs under bash with curl and jq against a real
 * hub, with the demo's own API clients (access/demo-clients.ts writes .data/demo-clients.env as
 * `npm start` does). The household is the Wang scenario with the health office's payments in its
 * own database; the hub's clock stands a few days after them (a stated report is at most a year old).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureDemoClients } from '../access/demo-clients';
import { healthScenario } from '../federation/health/scenario';
import { TestClock } from './support/clock';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY, WANG } from './support/scenarios';
import { expectTallyAgreesWithLists, TALLY_AND_LISTS } from './support/cases';

const run = promisify(execFile);

/** The first sh block after the README heading. */
function readmeBlock(heading: string): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const from = readme.indexOf(heading);
  expect(from).toBeGreaterThan(0);
  const match = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(from));
  expect(match).not.toBeNull();
  return match![1];
}

let dbs: TestDatabases;
let hub: TestHub;
let wangId: number;
let dir: string;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

beforeAll(async () => {
  dbs = await createTestDatabases('readme_loop');
  await insertRegions(dbs);
  wangId = await insertWang(dbs);
  // What the health office paid, in its own database: a premium subsidy, then medical aid.
  await healthScenario.insert(dbs.sources.HEALTH, 'aidPayments', [
    { payId: 'CB-2026-0302', psnCertNo: WANG.head, aidType: 'CBZZ', payDate: '2026-03-02', payAmt: '280.00' },
    { payId: 'MA-2026-0312', psnCertNo: WANG.grandmother, aidType: 'MAF', payDate: '2026-03-12', payAmt: '12000.00' },
  ]);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aidhub-readme-loop-'));
  fs.mkdirSync(path.join(dir, '.data'));
  await ensureDemoClients(hub.accessDb, path.join(dir, '.data', 'demo-clients.env'));
}, 120_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

it('runs the README’s loop with the demo clients: a conflict overridden, a decline reassigned, verified feedback, closure', async () => {
  const script = readmeBlock("### The whole loop with the demo's own clients");
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, env: { ...process.env, HUB: hub.url, HH: String(wangId) }, timeout: 240_000, maxBuffer: 16 << 20 });
  // The household holds a rent subsidy: the housing decision is refused, then decided with the reason.
  expect(stdout).toContain('"DECISION_CONFLICT"');
  // The case does not close while the housing decline is open.
  expect(stdout).toContain('"DECLINED_DECISIONS_OPEN"');
  // The decision corrected after the meeting: its slip superseded, a new one issued.
  expect(stdout).toContain('"superseded":[{"id":');
  expect(stdout).toContain('"state":"SUPERSEDED"');
  // The city's supervision office reads the declined decision in overdueReport, and may not move the case.
  expect(stdout).toMatch(/\{"office":\{"key":"CIVIL_AFFAIRS"\},"declinesOpen":\[\{"referral":\{"id":"\d+","to":\{"key":"HOUSING"\},"declineReason":"已享受租赁补贴最高档"\}\}\]\}/);
  expect(stdout).toContain('{"code":"FORBIDDEN","reason":"ROLE_NOT_ALLOWED"}');
  // Its 按时办结 figures (tally): health answered the corrected decision and the reassigned one in time,
  // its first slip superseded before its due date (03-16); housing declined in time.
  const tally = (office: string) => stdout.split('\n').filter((l) => l.startsWith(`{"office":"${office}","referrals":`)).map((l) => JSON.parse(l).referrals);
  expect(tally('HEALTH')).toEqual([{ answeredOnTime: 2, answeredLate: 0, declined: 0, supersededBeforeDue: 1, supersededLate: 0, openOverdue: 0, counted: 2, onTimeRate: 1 }]);
  expect(tally('HOUSING')).toEqual([{ answeredOnTime: 1, answeredLate: 0, declined: 1, supersededBeforeDue: 0, supersededLate: 0, openOverdue: 0, counted: 1, onTimeRate: 1 }]);
  // The same figures in the spreadsheet supervision sends upward (GET /exports/overdue.csv): the county's health office, named as the hub names it.
  expect(stdout).toContain('任城区,任城区医疗保障局,2,0,0,1,0,0,0,2,100.00%,0,0,0,0,0,0,—');
  // And agree with the lists of the report, as every grouping reads them.
  const report = await hub.gql(`{ overdueReport { byOffice { ${TALLY_AND_LISTS} } byTownship { ${TALLY_AND_LISTS} } byCounty { ${TALLY_AND_LISTS} } } }`);
  expect(report.errors).toBeUndefined();
  expectTallyAgreesWithLists(report.data.overdueReport);

  const res = await hub.gql(
    `query($id: ID!) { household(id: $id) { cases { state history { action actor } referrals { to { key } state programme { code } aidSourceReference
      fulfilment { amountFen shortfallFen } decisionCheck { conflict overrideReason } declineResolution { kind newReferral { id } } } } } }`,
    { id: String(wangId) },
  );
  expect(res.errors).toBeUndefined();
  const [c] = res.data.household.cases;
  expect(c.state).toBe('CLOSED');
  // The household is in 任城区: its county's offices act, not the city-wide bureaus.
  const actors = new Set(c.history.map((e: { actor: string }) => e.actor));
  // The health office's system named its officer (X-Officer): its steps carry them.
  expect([...actors].sort()).toEqual(['demo-370811-civil-affairs', 'demo-370811-health/wjw-0107', 'demo-370811-housing']);
  // And the auditor's last step shows who saw the household: the health client with its officer.
  expect(stdout).toMatch(/\{"client":"demo-370811-health","officer":"wjw-0107","purpose":"REFERRAL"\}/);
  // And the supervision office's reads, for its purpose.
  expect(stdout).toContain('{"client":"demo-supervision","officer":null,"purpose":"SUPERVISION"}');
  expect(c.referrals).toEqual([
    // The meeting's medical aid decision, corrected after the meeting (decisionCorrect): superseded, its replacement completed.
    expect.objectContaining({ to: { key: 'HEALTH' }, state: 'SUPERSEDED', programme: { code: 'MEDICAL_AID' }, aidSourceReference: null, fulfilment: null }),
    expect.objectContaining({ to: { key: 'HOUSING' }, state: 'DECLINED', decisionCheck: { conflict: true, overrideReason: '提高现有补贴档次，非重复发放' }, declineResolution: { kind: 'REASSIGNED', newReferral: { id: expect.any(String) } } }),
    expect.objectContaining({ to: { key: 'HEALTH' }, state: 'COMPLETED', programme: { code: 'MEDICAL_AID' }, aidSourceReference: expect.stringMatching(/:MA-2026-0312$/), fulfilment: { amountFen: 1_200_000, shortfallFen: 0 } }),
    expect.objectContaining({ to: { key: 'HEALTH' }, state: 'COMPLETED', programme: { code: 'PREMIUM_SUBSIDY' }, aidSourceReference: expect.stringMatching(/:CB-2026-0302$/), fulfilment: { amountFen: 28_000, shortfallFen: 0 } }),
  ]);
}, 300_000);
