/**
 * An office's inbox a page at a time (referralInbox), against a real hub database and a real hub
 * answering over HTTP. A county health office holds years of slips (1,300, planted with INSERT …
 * SELECT as test/support/case-rows.ts plants case rows; due dates repeat, so ids break ties): its
 * pages cover every slip of the states asked once, soonest due first then by id, while slips are
 * answered between pages (the cursor's own slip among them); a page costs the same statements
 * whatever its size; bad page sizes and cursors are refused with stable codes; another county's
 * office reads none of them, nor pages with their cursors. The one list, referralsToOffice, still
 * lists the open slips whole and refuses more than the largest page of answered ones
 * (ANSWER_TOO_LONG); a page is audited as the list is.
 */
import { household } from '../db/household/schema';
import { encodeIdCursor } from '../domain/cursor';
import { auditRows, lastAuditSeq } from './support/audit-trail';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { startTestHub, type TestHub } from './support/hub';
import { insertRegions, insertWang, TODAY } from './support/scenarios';

type Gql = TestHub['gql'];
type State = 'ISSUED' | 'ACCEPTED' | 'COMPLETED' | 'DECLINED' | 'SUPERSEDED';
const STATES: State[] = ['ISSUED', 'ACCEPTED', 'COMPLETED', 'DECLINED', 'SUPERSEDED'];
const ANSWERED: State[] = ['COMPLETED', 'DECLINED', 'SUPERSEDED'];
const WAITING: State[] = ['ISSUED', 'ACCEPTED'];

/** The slips planted: 任城区 health's years of slips, 微山县 health's, and 任城区 housing's. */
const PLANTED = { renchengHealth: 1300, weishanHealth: 200, renchengHousing: 100 };
const RENCHENG = '370811001';
const WEISHAN = '370826100';

let dbs: TestDatabases;
let hub: TestHub;
const office: Record<'health' | 'weishanHealth' | 'housing', Gql> = {} as never;

const PAGE = `query($states: [ReferralState!], $first: Int, $after: String, $office: OfficeInput = { department: HEALTH }) {
  referralInbox(office: $office, states: $states, first: $first, after: $after) { edges { cursor node { id dueOn state } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
}`;
const LIST = `query($states: [ReferralState!]) { referralsToOffice(office: { department: HEALTH }, states: $states) { id dueOn state } }`;

interface Slip {
  id: string;
  dueOn: string;
  state: State;
}

/**
 * Plants `n` slips to `toOffice` from `firstId` on, over `cases` cases from `firstCase` in `township`:
 * states by id in turn, issued over 400 days, several a day, so due dates repeat and ids break the
 * ties (the hub's start counts a waiting slip's due date again from its day issued: db/cases/due-recount.ts).
 */
async function plant(firstId: number, n: number, toOffice: string, firstCase: number, cases: number, householdId: number, township: string): Promise<void> {
  const conn = await dbs.hubPool.getConnection();
  try {
    await conn.query('CREATE TEMPORARY TABLE digits (d INT NOT NULL)');
    await conn.query('INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
    await conn.query('CREATE TEMPORARY TABLE nums (n INT NOT NULL PRIMARY KEY)');
    await conn.query('INSERT INTO nums SELECT 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d FROM digits a, digits b, digits c, digits e');
    await conn.query(
      `INSERT IGNORE INTO aid_case (id, household_id, township_code, origin, urgency, state, summary, first_office, owner_office, reported_at)
       SELECT ? + n - 1, ?, ?, 'APPLICATION', 'NORMAL', 'IN_DELIBERATION', '医疗救助申请', 'CIVIL_AFFAIRS', 'CIVIL_AFFAIRS', TIMESTAMP '2024-01-01 00:00:00' FROM nums WHERE n <= ?`,
      [firstCase, householdId, township, cases],
    );
    await conn.query(
      `INSERT INTO referral_slip (id, case_id, kind, from_office, to_office, ask, deadline_working_days, issued_at, due_on, state, answered_at, feedback)
       SELECT ? + n - 1, ? + (n - 1) MOD ?, 'FORWARD', 'CIVIL_AFFAIRS', ?, '请核定医疗救助', 10, TIMESTAMP '2024-01-01 01:00:00' + INTERVAL (n * 7) MOD 400 DAY,
              DATE '2024-01-15' + INTERVAL (n * 7) MOD 400 DAY, ELT(1 + n MOD 5, 'ISSUED', 'ACCEPTED', 'COMPLETED', 'DECLINED', 'SUPERSEDED'),
              IF(n MOD 5 >= 2, TIMESTAMP '2024-06-01 00:00:00', NULL), IF(n MOD 5 >= 2, '已办结', NULL)
       FROM nums WHERE n <= ?`,
      [firstId, firstCase, cases, toOffice, n],
    );
    await conn.query('DROP TEMPORARY TABLE nums');
    await conn.query('DROP TEMPORARY TABLE digits');
  } finally {
    conn.release();
  }
}

/** The slips an office's inbox holds now, straight from the tables: its order is what the pages must follow. */
async function stored(toOffice: string, township: string, states: readonly State[]): Promise<Slip[]> {
  const [rows] = await dbs.hubPool.query(
    `SELECT s.id, DATE_FORMAT(s.due_on, '%Y-%m-%d') AS dueOn, s.state FROM referral_slip s JOIN aid_case c ON c.id = s.case_id
     WHERE s.to_office = ? AND s.state IN (?) AND c.township_code LIKE ? ORDER BY s.due_on, s.id`,
    [toOffice, states, `${township.slice(0, 6)}%`],
  );
  return (rows as { id: number; dueOn: string; state: State }[]).map((r) => ({ id: String(r.id), dueOn: r.dueOn, state: r.state }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function page(gql: Gql, variables: Record<string, unknown>): Promise<any> {
  const res = await gql(PAGE, variables);
  expect(res.errors).toBeUndefined();
  return res;
}

/** Every page of an inbox, `between(pageNumber, nodes)` run after each page before the next is read. */
async function walk(gql: Gql, states: readonly State[], first: number, between: (n: number, nodes: Slip[]) => Promise<void> = async () => {}): Promise<Slip[]> {
  const met: Slip[] = [];
  let after: string | null = null;
  for (let n = 0; ; n += 1) {
    const res = await page(gql, { states, first, after });
    const { edges, pageInfo } = res.data.referralInbox;
    expect(edges.length).toBeLessThanOrEqual(first);
    expect(pageInfo.hasPreviousPage).toBe(false);
    const nodes: Slip[] = edges.map((e: { node: Slip }) => e.node);
    met.push(...nodes);
    if (!pageInfo.hasNextPage) return met;
    expect(edges.length).toBe(first);
    expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
    await between(n, nodes);
    after = pageInfo.endCursor;
  }
}

/** Strictly after, in (due date, id) order. */
const ordered = (slips: readonly Slip[]) => slips.every((s, i) => i === 0 || slips[i - 1].dueOn < s.dueOn || (slips[i - 1].dueOn === s.dueOn && Number(slips[i - 1].id) < Number(s.id)));

/** Answers waiting slips as the office would (state and time), in the database the hub reads. */
async function answer(ids: readonly string[], state: 'COMPLETED' | 'DECLINED'): Promise<void> {
  if (ids.length > 0) await dbs.hubPool.query("UPDATE referral_slip SET state = ?, answered_at = UTC_TIMESTAMP(3), feedback = '已办结' WHERE id IN (?)", [state, ids.map(Number)]);
}

beforeAll(async () => {
  dbs = await createTestDatabases('cases_inbox_pages');
  await insertRegions(dbs);
  const wang = await insertWang(dbs);
  const [res] = await dbs.hub.insert(household).values({ registrationNo: 'WS-0001', regionCode: '370826100001', address: '微山县夏镇街道 8 号' });
  await plant(100_001, PLANTED.renchengHealth, 'HEALTH', 10_001, 60, wang, RENCHENG);
  await plant(200_001, PLANTED.weishanHealth, 'HEALTH', 20_001, 10, res.insertId, WEISHAN);
  await plant(300_001, PLANTED.renchengHousing, 'HOUSING', 10_001, 60, wang, RENCHENG);
  hub = await startTestHub(dbs, { today: TODAY, purpose: 'REFERRAL' });
  const desks = [
    ['health', 'HEALTH', '370811'],
    ['weishanHealth', 'HEALTH', '370826'],
    ['housing', 'HOUSING', '370811'],
  ] as const;
  for (const [key, department, county] of desks) {
    const { token } = await hub.createClient({ department, regionScope: county, roles: ['READER', 'DEPARTMENT_WRITER', 'REFERRAL_HANDLER'] });
    office[key] = hub.as({ token, purpose: 'REFERRAL' }).gql;
  }
}, 300_000);

afterAll(async () => {
  await hub?.close();
  await dbs?.close();
}, 60_000);

describe('referralInbox', () => {
  it('pages through an office’s years of answered slips once each, in (due date, id) order, while slips are answered between pages', async () => {
    const before = await stored('HEALTH', RENCHENG, ANSWERED);
    expect(before.length).toBe((PLANTED.renchengHealth * 3) / 5);
    const waiting = await stored('HEALTH', RENCHENG, WAITING);
    // Between pages, waiting slips are answered: some due before the walk's position, some after.
    const met = await walk(office.health, ANSWERED, 97, async (n) => {
      await answer(waiting.slice(n * 7, n * 7 + 3).map((s) => s.id), 'COMPLETED');
      await answer(waiting.slice(waiting.length - 1 - n * 5, waiting.length - n * 5).map((s) => s.id), 'DECLINED');
    });
    const ids = met.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ordered(met)).toBe(true);
    // Every slip answered before the walk is met; the others met are slips answered during it.
    expect(ids).toEqual(expect.arrayContaining(before.map((s) => s.id)));
    const after = new Set((await stored('HEALTH', RENCHENG, ANSWERED)).map((s) => s.id));
    for (const id of ids) expect(after.has(id)).toBe(true);
    expect(ids.length).toBeGreaterThan(before.length);
  }, 180_000);

  it('pages through the waiting slips once each while the slip a cursor names, and others, are answered between pages', async () => {
    const before = await stored('HEALTH', RENCHENG, WAITING);
    expect(before.length).toBeGreaterThan(300);
    const answeredDuring = new Set<string>();
    const met = await walk(office.health, WAITING, 61, async (n, nodes) => {
      // The page's last slip (the cursor's own), one of the page before it, and one further on.
      const gone = [nodes.at(-1)!.id, nodes[0].id, before[Math.min(before.length - 1, (n + 2) * 61 + 5)].id];
      for (const id of gone) answeredDuring.add(id);
      await answer(gone, n % 2 === 0 ? 'COMPLETED' : 'DECLINED');
    });
    const ids = met.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ordered(met)).toBe(true);
    // Every slip still waiting at the end was met; none met that was not waiting before.
    const still = (await stored('HEALTH', RENCHENG, WAITING)).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(still));
    const waitingBefore = new Set(before.map((s) => s.id));
    for (const id of ids) expect(waitingBefore.has(id)).toBe(true);
    expect(ids.filter((id) => !answeredDuring.has(id)).sort()).toEqual(still.sort());
  }, 180_000);

  it('costs the same statements whatever the page size and however far into the inbox', async () => {
    const cost = async (first: number, after: string | null) => {
      const res = await page(office.health, { states: STATES, first, after });
      expect(res.data.referralInbox.edges.length).toBe(first);
      return res.extensions?.sqlStatements?.bySource;
    };
    const start = await cost(5, null);
    expect(start).toBeDefined();
    expect(await cost(400, null)).toEqual(start);
    const all = await stored('HEALTH', RENCHENG, STATES);
    const early = encodeIdCursor('R', Number(all[3].id));
    const late = encodeIdCursor('R', Number(all[all.length - 420].id));
    const later = await cost(5, early);
    expect(await cost(400, early)).toEqual(later);
    expect(await cost(400, late)).toEqual(later);
  }, 120_000);

  it('refuses a page size outside 1 to 500 and a cursor it did not give out for this inbox, with stable codes', async () => {
    const refused = async (gql: Gql, variables: Record<string, unknown>) => {
      const res = await gql(PAGE, { states: STATES, ...variables });
      expect(res.data?.referralInbox ?? null).toBeNull();
      return (res.errors ?? []).map((e) => ({ code: e.extensions?.code, reason: e.extensions?.reason, argument: e.extensions?.argument }));
    };
    for (const first of [0, -1, 501]) expect(await refused(office.health, { first })).toEqual([{ code: 'BAD_USER_INPUT', reason: 'OUT_OF_RANGE', argument: 'first' }]);
    const malformed = [{ code: 'BAD_USER_INPUT', reason: 'MALFORMED_CURSOR', argument: 'after' }];
    const health = (await page(office.health, { states: STATES, first: 2 })).data.referralInbox.pageInfo.endCursor;
    const weishan = (await page(office.weishanHealth, { states: STATES, first: 2 })).data.referralInbox.pageInfo.endCursor;
    const housing = (await page(office.housing, { states: STATES, first: 2, office: { department: 'HOUSING' } })).data.referralInbox.pageInfo.endCursor;
    // Not a cursor at all, one tampered with, another list's, a slip that does not exist.
    for (const after of ['not-a-cursor', `${health}x`, Buffer.from('R:12x').toString('base64url'), encodeIdCursor('F', 100_001), encodeIdCursor('R', 999_999)]) {
      expect(await refused(office.health, { after })).toEqual(malformed);
    }
    // Another county's office's cursor, and another office's: the slips they name are none of this inbox's.
    expect(await refused(office.health, { after: weishan })).toEqual(malformed);
    expect(await refused(office.weishanHealth, { after: health })).toEqual(malformed);
    expect(await refused(office.health, { after: housing })).toEqual(malformed);
    expect(await refused(office.housing, { after: health, office: { department: 'HOUSING' } })).toEqual(malformed);
    // Another office's inbox itself, as referralsToOffice refuses it.
    expect(await refused(office.housing, {})).toEqual([{ code: 'FORBIDDEN', reason: 'NOT_OWN_OFFICE', argument: 'office' }]);
  }, 120_000);

  it('gives an office of another county its own slips only, every one of them', async () => {
    const met = await walk(office.weishanHealth, STATES, 37);
    const planted = await stored('HEALTH', WEISHAN, STATES);
    expect(planted.length).toBe(PLANTED.weishanHealth);
    expect(met.map((s) => s.id)).toEqual(planted.map((s) => s.id));
    expect(met.every((s) => Number(s.id) >= 200_001 && Number(s.id) < 200_001 + PLANTED.weishanHealth)).toBe(true);
  }, 120_000);

  it('is audited as referralsToOffice is: the same subjects, for the same slips', async () => {
    const subjects = async (query: string, variables: Record<string, unknown>) => {
      const seq = await lastAuditSeq(dbs);
      const res = await office.weishanHealth(query, variables);
      expect(res.errors).toBeUndefined();
      const rows = await auditRows(dbs, 'seq > ?', [seq]);
      expect(rows.length).toBeGreaterThan(0);
      return [...new Set(rows.map((r) => `${r.subject_kind}:${r.subject_ref}:${r.outcome}:${r.purpose}`))].sort();
    };
    const viaList = await subjects(LIST, { states: STATES });
    const viaPage = await subjects(PAGE, { states: STATES, first: 500 });
    expect(viaPage).toEqual(viaList);
  }, 120_000);
});

describe('referralsToOffice beside it', () => {
  it('still lists the waiting slips whole, and answered ones up to the largest page, as the pages do', async () => {
    const waiting = await office.health(LIST, {});
    expect(waiting.errors).toBeUndefined();
    expect(waiting.data.referralsToOffice).toEqual(await stored('HEALTH', RENCHENG, WAITING));
    const superseded = await office.health(LIST, { states: ['SUPERSEDED'] });
    expect(superseded.errors).toBeUndefined();
    expect(superseded.data.referralsToOffice.length).toBe(PLANTED.renchengHealth / 5);
    expect(superseded.data.referralsToOffice).toEqual(await walk(office.health, ['SUPERSEDED'], 500));
  }, 120_000);

  it('refuses more answered slips than the largest page: ANSWER_TOO_LONG, with max', async () => {
    expect((await stored('HEALTH', RENCHENG, ANSWERED)).length).toBeGreaterThan(500);
    const res = await office.health(LIST, { states: ANSWERED });
    expect(res.data?.referralsToOffice ?? null).toBeNull();
    expect((res.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.reason, e.extensions?.argument, e.extensions?.max])).toEqual([['BAD_USER_INPUT', 'ANSWER_TOO_LONG', 'states', 500]]);
  }, 60_000);
});
