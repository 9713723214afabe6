/**
 * Tamper evidence for the case records supervision judges lateness by (db/cases/seals.ts): every row
 * a case write inserts or changes is sealed in its own transaction, in a chain of its own whose head
 * the hub signs into the checkpoint file. A row changed, deleted or inserted by hand out of band is
 * named by `audit:verify`; a seal chain recomputed by hand is caught by the signed checkpoints; a
 * replayed mutation seals nothing twice; a database of an earlier release is sealed at its first start.
 */
import { accessDbOf } from '../db/access/db';
import { referralSlip } from '../db/cases/schema';
import { rowDigest, SEALED_TABLES, sealHash, sealStanding, verifyCaseSeals } from '../db/cases/seals';
import { eq, getTableName } from 'drizzle-orm';
import { checkpointBed, type CheckpointBed } from './support/checkpoint-bed';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { TestClock } from './support/clock';
import { okPayload } from './support/payloads';
import { caseOpened, wangHealthAndHousingSlips } from './support/cases';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

type Row = Record<string, any>;

const DECLINE = `mutation($input: ReferralDeclineInput!) { referralDecline(input: $input) { referral { id state } userErrors { code } } }`;
const WAIVE = `mutation($input: ReferralWaiveInput!) { referralWaive(input: $input) { referral { id } userErrors { code } } }`;
const MOVE = `mutation($input: CaseTransitionInput!) { caseTransition(input: $input) { case { state } replayed userErrors { code } } }`;

let dbs: TestDatabases;
let hub: TestHub;
let bed: CheckpointBed;
let caseId: string;
let slips: Record<'HEALTH' | 'HOUSING', string>;
const clock = new TestClock('2026-03-15T10:00:00+08:00');

async function query(sql: string, params: unknown[] = []): Promise<Row[]> {
  const [rows] = await dbs.hubPool.query(sql, params);
  return rows as Row[];
}

const verifyCli = () => bed.verify(accessDbOf(dbs.hub));

/** The case-record lines audit:verify printed (not the access chain's, nor the evidence's). */
const caseLines = (out: string[]) => out.filter((l) => l.startsWith('case record '));

beforeAll(async () => {
  dbs = await createTestDatabases('cases_seals');
  await insertRegions(dbs);
  const wangId = await insertWang(dbs);
  bed = checkpointBed('aidhub-case-seals-');
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now, auditCheckpoints: bed.hubOptions(1_000_000) });
  // The loop: a case opened and moved to its meeting, two decisions (with their checks) issued and
  // accepted, housing's declined and waived by the convener.
  ({ caseId, slips } = await wangHealthAndHousingSlips(hub, wangId, 'seals'));
  const housing = hub.as({ token: (await hub.createClient({ name: 'seals-housing-2', department: 'HOUSING', regionScope: '370800', roles: ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'] })).token, purpose: 'REFERRAL' }).gql;
  await okPayload(housing, DECLINE, { input: { referralId: slips.HOUSING, reason: '已享受租赁补贴最高档' } }, 'referralDecline');
  await okPayload(hub.gql, WAIVE, { input: { referralId: slips.HOUSING, reason: '租赁补贴已足额' } }, 'referralWaive');
  // Shutting down signs the seal chain's head into the checkpoint file.
  await hub.close();
});

afterAll(async () => {
  await dbs?.close();
  bed?.remove();
});

describe('every case write is sealed', () => {
  it('seals every row the loop wrote, in every table it wrote, and audit:verify finds them intact', async () => {
    const verdict = await verifyCaseSeals(dbs.hub);
    expect(verdict).toMatchObject({ ok: true });
    // A page of one row or seal: every page ends inside a meeting's departments or a slip's seals.
    for (const page of [1, 2]) expect(await verifyCaseSeals(dbs.hub, [], { page })).toEqual(verdict);
    const sealedTables = (await query('SELECT DISTINCT table_name FROM case_seal')).map((r) => r.table_name).sort();
    expect(sealedTables).toEqual(['aid_case', 'case_deadline_kept', 'case_event', 'case_meeting', 'case_meeting_department', 'decision_check', 'declined_decision', 'referral_slip'].sort());
    let rows = 0;
    for (const t of SEALED_TABLES) rows += Number((await query(`SELECT COUNT(*) AS n FROM ${getTableName(t)}`))[0].n);
    expect(verdict.rows).toBe(rows);
    const { code, out } = await verifyCli();
    expect(code).toBe(0);
    expect(out.some((l) => l.startsWith('case records intact'))).toBe(true);
  });

  it('signs the seal chain’s head into the checkpoint file', () => {
    const read = bed.read();
    if (!read.ok) throw new Error(read.message);
    expect(read.record.caseCheckpoints?.length).toBeGreaterThan(0);
  });
});

describe('a row changed, deleted or inserted by hand is named', () => {
  it('names a slip whose answered_at was changed out of band, and is intact once it is put back', async () => {
    const [slip] = await query('SELECT id, answered_at FROM referral_slip WHERE id = ?', [slips.HOUSING]);
    expect(slip.answered_at).not.toBeNull();
    await query('UPDATE referral_slip SET answered_at = DATE_ADD(answered_at, INTERVAL 3 DAY) WHERE id = ?', [slip.id]);
    const { code, out } = await verifyCli();
    expect(code).toBe(1);
    expect(caseLines(out)).toEqual([expect.stringMatching(new RegExp(`^case record CHANGED referral_slip ${slip.id}:`))]);
    await query('UPDATE referral_slip SET answered_at = DATE_SUB(answered_at, INTERVAL 3 DAY) WHERE id = ?', [slip.id]);
    expect((await verifyCli()).code).toBe(0);
  });

  it('names a due date moved out of band', async () => {
    const [slip] = await query('SELECT id, due_on FROM referral_slip WHERE id = ?', [slips.HEALTH]);
    await query('UPDATE referral_slip SET due_on = DATE_ADD(due_on, INTERVAL 10 DAY) WHERE id = ?', [slip.id]);
    for (const page of [undefined, 1]) {
      const verdict = await verifyCaseSeals(dbs.hub, [], { page });
      expect(verdict.ok ? [] : verdict.findings.map((f) => [f.problem, f.table, f.rowKey])).toEqual([['CHANGED', 'referral_slip', String(slip.id)]]);
    }
    await query('UPDATE referral_slip SET due_on = DATE_SUB(due_on, INTERVAL 10 DAY) WHERE id = ?', [slip.id]);
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true });
  });

  it('names an event deleted out of band', async () => {
    const [event] = await query('SELECT id FROM case_event WHERE case_id = ? ORDER BY seq DESC LIMIT 1', [caseId]);
    // Kept aside as stored (a copy table, not JavaScript values, so its instants come back as they were).
    await query('CREATE TABLE case_event_aside AS SELECT * FROM case_event WHERE id = ?', [event.id]);
    await query('DELETE FROM case_event WHERE id = ?', [event.id]);
    const { code, out } = await verifyCli();
    expect(code).toBe(1);
    expect(caseLines(out)).toEqual([expect.stringMatching(new RegExp(`^case record DELETED case_event ${event.id}:`))]);
    await query('INSERT INTO case_event SELECT * FROM case_event_aside');
    await query('DROP TABLE case_event_aside');
    expect((await verifyCli()).code).toBe(0);
  });

  it('names a slip inserted out of band as unsealed', async () => {
    const [slip] = await query('SELECT * FROM referral_slip WHERE id = ?', [slips.HEALTH]);
    const [{ next }] = await query('SELECT MAX(id) + 100 AS next FROM referral_slip');
    await query('INSERT INTO referral_slip SET ?', [{ ...slip, id: next }]);
    const { code, out } = await verifyCli();
    expect(code).toBe(1);
    expect(caseLines(out)).toEqual([expect.stringMatching(new RegExp(`^case record UNSEALED referral_slip ${next}:`))]);
    await query('DELETE FROM referral_slip WHERE id = ?', [next]);
    expect((await verifyCli()).code).toBe(0);
  });
});

describe('a seal chain recomputed by hand', () => {
  it('verifies on its own, and is caught by the signed checkpoints', async () => {
    const savedSeals = await query('SELECT * FROM case_seal ORDER BY seq');
    const [savedHead] = await query('SELECT * FROM case_seal_head WHERE id = 1');
    const [slip] = await query('SELECT * FROM referral_slip WHERE id = ?', [slips.HOUSING]);
    // The administrator moves the answer three days back, and seals it as if the hub had.
    await query('UPDATE referral_slip SET answered_at = DATE_SUB(answered_at, INTERVAL 3 DAY) WHERE id = ?', [slip.id]);
    const [changed] = await dbs.hub.select().from(referralSlip).where(eq(referralSlip.id, slip.id));
    const digest = rowDigest(referralSlip, changed as Row);
    let prev = '0'.repeat(64);
    for (const s of savedSeals) {
      const d = s.table_name === 'referral_slip' && s.row_key === String(slip.id) ? digest : s.row_digest;
      const hash = sealHash(prev, Number(s.seq), s.table_name, s.row_key, d);
      await query('UPDATE case_seal SET row_digest = ?, prev_hash = ?, seal_hash = ? WHERE seq = ?', [d, prev, hash, s.seq]);
      prev = hash;
    }
    await query('UPDATE case_seal_head SET last_hash = ? WHERE id = 1', [prev]);
    try {
      // The chain alone agrees with the rows: only the evidence outside the database shows it.
      expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true });
      const { code, out } = await verifyCli();
      expect(code).toBe(1);
      expect(caseLines(out)).toEqual([expect.stringMatching(/^case record REWRITTEN at seal \d+:/)]);
    } finally {
      await query('UPDATE referral_slip SET answered_at = DATE_ADD(answered_at, INTERVAL 3 DAY) WHERE id = ?', [slip.id]);
      await query('DELETE FROM case_seal');
      for (const s of savedSeals) await query('INSERT INTO case_seal SET ?', [s]);
      await query('UPDATE case_seal_head SET last_seq = ?, last_hash = ? WHERE id = 1', [savedHead.last_seq, savedHead.last_hash]);
    }
    expect((await verifyCli()).code).toBe(0);
  });
});

describe('retries and upgrades', () => {
  it('seals nothing for a replayed mutation', async () => {
    const again = await startTestHub(dbs, { today: TODAY, purpose: 'CASE_MEETING', clock: clock.now });
    try {
      const other = await caseOpened(again.gql, (await query('SELECT household_id FROM aid_case WHERE id = ?', [caseId]))[0].household_id, '再次申请', '2026-03-14T09:00:00+08:00');
      const input = { caseId: other, to: 'ACCEPTED', reason: '受理', idempotencyKey: 'seals-accept-1' };
      const first = await again.gql(MOVE, { input });
      const before = Number((await query('SELECT COUNT(*) AS n FROM case_seal'))[0].n);
      const replay = await again.gql(MOVE, { input });
      expect(replay.data.caseTransition).toEqual({ ...first.data.caseTransition, replayed: true });
      expect(Number((await query('SELECT COUNT(*) AS n FROM case_seal'))[0].n)).toBe(before);
    } finally {
      await again.close();
    }
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true });
  });

  it('seals the rows standing at the first start on a database of an earlier release, once', async () => {
    const rows = (await verifyCaseSeals(dbs.hub)).rows;
    await query('DELETE FROM case_seal');
    await query('DELETE FROM case_seal_head');
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: false, findings: [{ problem: 'UNSEALED' }] });
    expect(await sealStanding(dbs.hub)).toBe(rows);
    expect(await sealStanding(dbs.hub)).toBe(0);
    expect(await verifyCaseSeals(dbs.hub)).toMatchObject({ ok: true, rows, seals: rows });
  });
});
