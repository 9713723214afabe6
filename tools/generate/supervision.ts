/**
 * The demo's supervision (督查督办): a few joint cases of 任城区 households taken to a meeting and
 * their decisions' slips answered, or not, so that the demo's supervision office reads a full
 * overdueReport on a fresh `npm start` (before, it read nothing until the README's loop was run).
 * Each step is a request of the demo's own clients (任城区民政局 convenes; 任城区司法局, 医疗保障局,
 * 人力资源和社会保障局 and 总工会 answer), sent to a hub whose clock the caller sets to the step's
 * instant (`DemoHub.at`): the meeting's pre-grant checks, the slips' deadlines, seals and audit
 * are the API's, as a real meeting's are. The instants are working days before the demo's today, by
 * the holiday calendar, so the report reads the same shape whatever day the demo is started:
 *
 * - case 1, decided 28 working days ago: 司法 answers its legal aid on time (the aid it reported),
 *   医保 declines its medical aid in time (the decline left open for the convener);
 * - case 2, its investigation opinion given a working day late, decided 17 working days ago: 司法
 *   answers late, 人社's employment aid is accepted and never answered (open, past due);
 * - case 3, decided the working day before today: 工会's hardship aid and 司法's legal aid open, not
 *   yet due;
 * - case 4, accepted 8 working days ago and not investigated since: its opinion overdue;
 * - case 5, 低保 applied for at 古槐街道 (the demo's township office, its officer `ghjd-mz-01`) 6
 *   working days ago, reviewed there and forwarded to 任城区民政局 for approval 4 working days ago
 *   (转交县级审批: its investigation opinion met by the forward, its approval under no limit), so the
 *   report's forwardedForApproval, and the file's 五、转交县级审批, list it.
 *
 * Households are drawn (seeded) from 任城区's with living members and no case but the demo's own;
 * case 5's from 古槐街道's, the township whose office opens it.
 * Loaded once, and completed where a start was stopped half-way: every write is sent with an
 * idempotency key of its own (`supervision-demo:<case>:<step>`), so the next start sends the steps
 * again from the first, the ones already made answered with their first outcome (replayed) and
 * nothing written twice, dated from the day the demo began (its first case's opening) rather than
 * the new start's; a meeting, recorded in two tries where a pre-grant check asks for a reason, is
 * recognised by the case's meetings. A hub where its last step is on record is left as it is, and
 * so is one where the convener's demo officer wrote without those keys (a release before them). A
 * demo written whole before case 5 was part of it lacks that last step: the next start sends its
 * steps again (all answered, replayed) and adds case 5.
 *
 * Between the two starts someone may open a case on a household of 任城区 (the office at work, a
 * department's system), which changes what the seeded draw picks: drawn again, a case already
 * written would have its steps sent again for another household under the same keys
 * (IDEMPOTENCY_KEY_REUSED, a demo stuck half-way at every start). So the cases written keep the
 * households they were opened on (their opening is the record of the draw), and only those not yet
 * opened are drawn, among the households without a case; nothing of theirs was sent, so no key is
 * reused, and the household someone took meanwhile is left to its own case. With nothing changed the
 * draw is the first start's (the same seed over the same households, the written ones first). Where
 * too few households are left for the cases not yet opened, the demo is finished with the cases it
 * opened (their steps all sent, so no slip of theirs is left open by the stopped start) and the
 * others it finds households for: the start says so once, and the starts after, finding those cases
 * whole, add nothing. A demo not yet begun is not begun short: it waits for households enough.
 */
import { and, asc, eq, inArray, isNull, like, notInArray } from 'drizzle-orm';
import type { HubDb } from '../../db/connect';
import { aidCase, caseEvent, referralSlip } from '../../db/cases/schema';
import { household, householdMember, person } from '../../db/household/schema';
import { fromDbInstant } from '../../db/instants';
import { chinaDateOf } from '../../domain/cases/china-time';
import { addWorkingDays, isWorkingDay } from '../../domain/cases/working-days';
import { addDays, type IsoDate } from '../../domain/dates';
import { Rng, seedOf } from '../../federation/demo-random';
import { DEMO_CLIENTS } from '../../access/demo-clients';

/** The county whose demo offices act (access/demo-clients.ts countyOffices). */
export const SUPERVISION_DEMO_COUNTY = '370811';
/** The staff identifier 任城区民政局's system names for the demo's convener (X-Officer): its steps mark the demo loaded. */
export const SUPERVISION_DEMO_OFFICER = 'rcmz-dc-01';
const CONVENER_CLIENT = `demo-${SUPERVISION_DEMO_COUNTY}-civil-affairs`;
/** Who the convener's case events name (case_event.actor). */
const CONVENER_ACTOR = `${CONVENER_CLIENT}/${SUPERVISION_DEMO_OFFICER}`;
/** The demo's township office (任城区古槐街道), which opens case 5 and forwards it to the county for approval. */
const TOWNSHIP_CLIENT = (() => {
  const client = DEMO_CLIENTS.find((c) => c.variable === 'AIDHUB_TOKEN_TOWNSHIP');
  if (!client) throw new Error('supervision demo: no demo township client AIDHUB_TOKEN_TOWNSHIP');
  return client;
})();
/** The township case 5's household lives in, its office's scope. */
export const SUPERVISION_DEMO_TOWNSHIP = TOWNSHIP_CLIENT.regionScope;
/** The staff identifier 古槐街道's system names for the officer who reviews and forwards case 5 (X-Officer). */
export const SUPERVISION_DEMO_TOWNSHIP_OFFICER = 'ghjd-mz-01';
/** Whose case events are the demo's: the convener's and the township officer's. */
const DEMO_ACTORS = [CONVENER_ACTOR, `${TOWNSHIP_CLIENT.name}/${SUPERVISION_DEMO_TOWNSHIP_OFFICER}`];

/** A step's idempotency key: the same on every start, so a step made already is answered, not made again. */
const stepKey = (step: string) => `supervision-demo:${step}`;
/** The first write (case 1 opened, this many working days before the demo's day) and the last (case 5 forwarded). */
const FIRST_CASE_OPENED_DAYS = 30;
const FIRST_STEP = 'c1:open';
const LAST_STEP = 'c5:forward';

/** A request to the hub as one of the demo's clients, by its variable in demo-clients.env. */
export type DemoGql = (variable: string, purpose: string, query: string, variables: Record<string, unknown>, officer?: string) => Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;

/** A hub the scenario speaks to: its clock set to each step's instant before the step is sent. */
export interface DemoHub {
  at(instant: Date): void;
  gql: DemoGql;
}

/** What the demo left for supervision, by what becomes of each slip. */
export interface SupervisionDemoSummary {
  cases: number;
  answeredOnTime: number;
  answeredLate: number;
  declined: number;
  openOverdue: number;
  openNotYetDue: number;
  /** Cases forwarded to the county for approval (转交县级审批), open, under no limit. */
  forwardedForApproval: number;
}

const variable = (department: string) => `AIDHUB_TOKEN_${SUPERVISION_DEMO_COUNTY}_${department}`;
const CA = variable('CIVIL_AFFAIRS');

/** The n-th working day before `today` (n ≥ 1), by the holiday calendar. */
export function workingDaysBefore(today: IsoDate, n: number): IsoDate {
  let day = today;
  for (let left = n; left > 0; ) {
    day = addDays(day, -1);
    if (isWorkingDay(day)) left -= 1;
  }
  return day;
}

/** `hh:mm` of a China day, as an instant. */
const cn = (day: IsoDate, time: string) => new Date(`${day}T${time}:00+08:00`);

const OPEN = `mutation($i: CaseOpenInput!) { caseOpen(input: $i) { case { id } userErrors { code field } } }`;
const MOVE = `mutation($i: CaseTransitionInput!) { caseTransition(input: $i) { case { state } userErrors { code field } } }`;
const MEETING = `mutation($i: MeetingRecordInput!) { meetingRecord(input: $i) { meeting { decisions { id to { key } dueOn } } userErrors { code field message } } }`;
const ACCEPT = `mutation($i: ReferralAcceptInput!) { referralAccept(input: $i) { referral { state } userErrors { code field } } }`;
const COMPLETE = `mutation($i: ReferralCompleteInput!) { referralComplete(input: $i) { referral { state deadlineStatus } userErrors { code field } } }`;
const DECLINE = `mutation($i: ReferralDeclineInput!) { referralDecline(input: $i) { referral { state deadlineStatus } userErrors { code field } } }`;
const REPORT = `mutation($r: [ReportedAidInput!]!) { aidReport(input: { records: $r }) { recorded userErrors { code field } } }`;
const REPORTED = `query($who: String!) { person(idNumber: $who) { aid(departments: [JUSTICE]) { sourceReference reportedBy { reference } } } }`;
const MEETINGS = `query($id: ID!) { case(id: $id) { meetings { decisions { id } } } }`;
const FORWARD = `mutation($i: CaseForwardForApprovalInput!) { caseForwardForApproval(input: $i) { case { owner { key } } userErrors { code field } } }`;

/** A step's payload, its userErrors empty; else the step's failure, named. */
async function ok(hub: DemoHub, step: string, as: string, purpose: string, query: string, variables: Record<string, unknown>, officer?: string): Promise<any> {
  const res = await hub.gql(as, purpose, query, variables, officer);
  const field = res.data ? Object.keys(res.data)[0] : null;
  const payload = field ? res.data[field] : null;
  const problems = res.errors?.map((e) => String(e.extensions?.code ?? e.message)) ?? payload?.userErrors?.map((e: { code: string }) => e.code) ?? [];
  if (!payload || problems.length > 0) throw new Error(`supervision demo: ${step} refused: ${problems.join(', ') || 'no answer'}`);
  return payload;
}

interface Decision {
  department: string;
  programme: string;
  amountFen: number;
  deadlineWorkingDays: number;
  beneficiaryIdNumber: string;
  ask: string;
  conflictOverrideReason?: string;
}

/** The openings of the demo's officers (its cases' first events). */
const demoOpened = () => and(inArray(caseEvent.actor, DEMO_ACTORS), eq(caseEvent.action, 'OPENED'));
/** The cases the demo's officers opened. */
const demoCases = (db: HubDb) => db.select({ id: caseEvent.caseId }).from(caseEvent).where(demoOpened());

/** The demo's cases in the order it writes them: each one's steps are keyed `<slot>:<step>`. */
const SLOTS = ['c1', 'c2', 'c3', 'c4', 'c5'] as const;
type Slot = (typeof SLOTS)[number];
/** Each case's last step: on record, the case is written whole. */
const SLOT_LAST_STEP: Record<Slot, string> = { c1: 'c1:legal:complete', c2: 'c2:legal:complete', c3: 'c3:meeting', c4: 'c4:ACCEPTED', c5: LAST_STEP };
/** Where each slot's household is drawn: 任城区, and for case 5 the township whose office opens it. */
const SLOT_REGION: Record<Slot, string> = { c1: SUPERVISION_DEMO_COUNTY, c2: SUPERVISION_DEMO_COUNTY, c3: SUPERVISION_DEMO_COUNTY, c4: SUPERVISION_DEMO_COUNTY, c5: SUPERVISION_DEMO_TOWNSHIP };

/** A household a case of the demo is about: its living members, the head first. */
interface DemoHousehold {
  id: number;
  members: string[];
}

/** The households the demo's cases were opened on already, by slot (its officers' openings under the steps' keys). */
async function householdsWritten(db: HubDb): Promise<Map<string, number>> {
  const openings = await db
    .select({ key: caseEvent.idempotencyKey, householdId: aidCase.householdId })
    .from(caseEvent)
    .innerJoin(aidCase, eq(aidCase.id, caseEvent.caseId))
    .where(demoOpened());
  const written = new Map<string, number>();
  for (const slot of SLOTS) {
    const opening = openings.find((o) => o.key?.endsWith(`:${stepKey(`${slot}:open`)}`));
    if (opening) written.set(slot, opening.householdId);
  }
  return written;
}

/** A household's living members, the head first: legal aid and the like go to the member who asked, the head where it is living. */
async function livingMembers(db: HubDb, householdId: number): Promise<string[]> {
  const members = await db
    .select({ idNumber: householdMember.idNumber, relation: householdMember.relation })
    .from(householdMember)
    .innerJoin(person, eq(person.idNumber, householdMember.idNumber))
    .where(and(eq(householdMember.householdId, householdId), isNull(householdMember.leftOn), isNull(person.deathDate)))
    .orderBy(asc(householdMember.idNumber));
  return [...members.filter((m) => m.relation === 'HEAD'), ...members.filter((m) => m.relation !== 'HEAD')].map((m) => m.idNumber);
}

/**
 * The household of each slot: the one its case was opened on where it was (`written`), else drawn,
 * seeded, of 任城区 (case 5's of 古槐街道: SLOT_REGION), with a living member, without a case but the
 * demo's own, and not one of the demo's already; null for the slots too few are left to draw for
 * (slots are drawn, and written, in order).
 */
async function drawHouseholds(db: HubDb, seed: number, written: ReadonlyMap<string, number>): Promise<(DemoHousehold | null)[]> {
  const withCases = db.select({ id: aidCase.householdId }).from(aidCase).where(notInArray(aidCase.id, demoCases(db)));
  const homes = await db
    .select({ id: household.id, regionCode: household.regionCode })
    .from(household)
    .where(and(like(household.regionCode, `${SUPERVISION_DEMO_COUNTY}%`), notInArray(household.id, withCases)))
    .orderBy(asc(household.id));
  const rng = new Rng(seedOf(seed, 4217));
  const taken = new Set(written.values());
  // The written ones stay among those drawn from, and are passed over when drawn: with the same
  // households and seed they are the first ones drawn, as at the first start, and the rest are its too.
  const left = homes.map((h) => h.id);
  const nextDrawn = async (): Promise<DemoHousehold | null> => {
    while (left.length > 0) {
      const [id] = left.splice(Math.floor(rng.next() * left.length), 1);
      if (taken.has(id)) continue;
      const members = await livingMembers(db, id);
      if (members.length > 0) return { id, members };
    }
    return null;
  };
  /**
   * A township's slot (case 5) is drawn apart, by a stream of its own, among the township's households
   * but those of the demo's other cases: the same household whether those were drawn at this start or
   * written by one before (a draw after theirs, by their stream, would change with which were written).
   */
  const drawnIn = async (slot: Slot, township: string, others: ReadonlySet<number>): Promise<DemoHousehold | null> => {
    const own = new Rng(seedOf(seed, 4217, SLOTS.indexOf(slot)));
    const among = homes.filter((h) => h.regionCode.startsWith(township) && !others.has(h.id)).map((h) => h.id);
    while (among.length > 0) {
      const [id] = among.splice(Math.floor(own.next() * among.length), 1);
      const members = await livingMembers(db, id);
      if (members.length > 0) return { id, members };
    }
    return null;
  };
  const drawn: (DemoHousehold | null)[] = [];
  for (const slot of SLOTS) {
    const id = written.get(slot);
    if (id === undefined) {
      const others = new Set([...taken, ...drawn.flatMap((h) => (h ? [h.id] : []))]);
      drawn.push(SLOT_REGION[slot] === SUPERVISION_DEMO_COUNTY ? await nextDrawn() : await drawnIn(slot, SLOT_REGION[slot], others));
      continue;
    }
    // Its case is written: its steps go to this household or to none (another would reuse their keys).
    const members = await livingMembers(db, id);
    if (members.length === 0) throw new Error(`supervision demo: the household of its case ${slot} has no living member left to name`);
    drawn.push({ id, members });
  }
  return drawn;
}

/**
 * How far the demo got: not begun (the demo's officers wrote nothing), complete (its last
 * step is on record, or it was written by a release before the steps' keys), or begun on a day
 * (`today`, a day its steps count back from as they did) and not finished: a start stopped half-way.
 */
export type SupervisionDemoProgress = { kind: 'NONE' } | { kind: 'COMPLETE' } | { kind: 'BEGUN'; today: IsoDate };

export async function supervisionDemoProgress(db: HubDb): Promise<SupervisionDemoProgress> {
  // The demo officers' own events, a few dozen: the steps' keys are stored as `<office>/c<client>:<key>`.
  const events = await db.select({ key: caseEvent.idempotencyKey, occurredAt: caseEvent.occurredAt }).from(caseEvent).where(inArray(caseEvent.actor, DEMO_ACTORS));
  if (events.length === 0) return { kind: 'NONE' };
  const step = (name: string) => events.find((e) => e.key?.endsWith(`:${stepKey(name)}`));
  const first = step(FIRST_STEP);
  if (!first || step(LAST_STEP)) return { kind: 'COMPLETE' };
  // The day it began, from its first write: the working days before it are the first start's.
  return { kind: 'BEGUN', today: addWorkingDays(chinaDateOf(fromDbInstant(first.occurredAt)), FIRST_CASE_OPENED_DAYS).date };
}

/**
 * What a start made of the demo: written (or completed), found complete, not drawn (任城区 has too
 * few households without a case for a demo not yet begun, so nothing was sent), or, for a demo a
 * stopped start began, finished with fewer cases (`summary.cases` of `casesNeeded`): the cases it
 * had opened written whole, and those too few households are left for not opened.
 */
export type SupervisionDemoOutcome =
  | { kind: 'WRITTEN'; summary: SupervisionDemoSummary }
  | { kind: 'COMPLETE' }
  | { kind: 'TOO_FEW_HOUSEHOLDS'; casesNeeded: number }
  | { kind: 'WRITTEN_SHORT'; summary: SupervisionDemoSummary; casesNeeded: number };

/** Whether every case the demo opened has its last step on record (its events' keys are `<office>/c<client>:<key>`). */
async function casesWrittenWhole(db: HubDb, slots: readonly Slot[]): Promise<boolean> {
  const keys = await db.select({ key: caseEvent.idempotencyKey }).from(caseEvent).where(inArray(caseEvent.caseId, demoCases(db)));
  return slots.every((slot) => keys.some((k) => k.key?.endsWith(`:${stepKey(SLOT_LAST_STEP[slot])}`)));
}

/**
 * Writes the demo's supervision cases through `hub` (see the file's comment), dated back from
 * `today`, or completes them, dated back from the day they began.
 */
export async function generateSupervisionDemo(db: HubDb, hub: DemoHub, opts: { today: IsoDate; seed: number }): Promise<SupervisionDemoOutcome> {
  const progress = await supervisionDemoProgress(db);
  if (progress.kind === 'COMPLETE') return { kind: 'COMPLETE' };
  const written = await householdsWritten(db);
  const homes = await drawHouseholds(db, opts.seed, written);
  const short = homes.includes(null);
  // Not begun: nothing sent, and said again at each start until households are free.
  if (short && written.size === 0) return { kind: 'TOO_FEW_HOUSEHOLDS', casesNeeded: SLOTS.length };
  // Begun, and its cases opened written whole by a start before, which said it was short: nothing to say again.
  if (short && (await casesWrittenWhole(db, [...written.keys()] as Slot[]))) return { kind: 'COMPLETE' };
  const today = progress.kind === 'BEGUN' ? progress.today : opts.today;
  const W = (n: number) => workingDaysBefore(today, n);
  const convene = (step: string, query: string, vars: Record<string, unknown>) => ok(hub, step, CA, 'CASE_MEETING', query, vars, SUPERVISION_DEMO_OFFICER);
  const answer = (department: string, step: string, query: string, vars: Record<string, unknown>) => ok(hub, step, variable(department), 'REFERRAL', query, vars);
  // 古槐街道's office, reviewing an application (审核).
  const review = (step: string, query: string, vars: Record<string, unknown>) => ok(hub, step, TOWNSHIP_CLIENT.variable, 'ELIGIBILITY_REVIEW', query, vars, SUPERVISION_DEMO_TOWNSHIP_OFFICER);
  const summary: SupervisionDemoSummary = { cases: 0, answeredOnTime: 0, answeredLate: 0, declined: 0, openOverdue: 0, openNotYetDue: 0, forwardedForApproval: 0 };

  /** A case opened at `opened` by `by` (the convener unless said), moved through `moves` (state, instant); `slot` keys its steps (c1…c5). */
  const openCase = async (slot: string, home: number, summaryText: string, opened: Date, moves: [string, Date][], by = convene) => {
    hub.at(opened);
    const { case: c } = await by('caseOpen', OPEN, { i: { householdId: String(home), origin: 'APPLICATION', urgency: 'NORMAL', summary: summaryText, idempotencyKey: stepKey(`${slot}:open`) } });
    for (const [to, at] of moves) {
      hub.at(at);
      await by(`caseTransition ${to}`, MOVE, { i: { caseId: c.id, to, reason: to === 'ACCEPTED' ? '受理' : to === 'INVESTIGATING' ? '入户调查' : '提请一事一议', idempotencyKey: stepKey(`${slot}:${to}`) } });
    }
    summary.cases += 1;
    return c.id as string;
  };

  /**
   * A meeting held and recorded on `day`; a decision a pre-grant check finds in conflict is decided
   * again with the convener's reason. A case met already (a start stopped after its meeting) answers
   * with that meeting's decisions: which of the two tries was recorded, its key cannot say.
   */
  const meet = async (slot: string, caseId: string, day: IsoDate, decisions: Decision[]): Promise<string[]> => {
    hub.at(cn(day, '10:00'));
    const held = await hub.gql(CA, 'CASE_MEETING', MEETINGS, { id: caseId }, SUPERVISION_DEMO_OFFICER);
    const [met] = held.data?.case?.meetings ?? [];
    if (met) return met.decisions.map((d: { id: string }) => d.id);
    const input = (ds: Decision[]) => ({ i: { caseId, heldOn: day, departmentsPresent: ['CIVIL_AFFAIRS', ...new Set(ds.map((d) => d.department))], decisions: ds, idempotencyKey: stepKey(`${slot}:meeting`) } });
    let res = await hub.gql(CA, 'CASE_MEETING', MEETING, input(decisions), SUPERVISION_DEMO_OFFICER);
    const conflicts: number[] = (res.data?.meetingRecord?.userErrors ?? []).filter((e: { code: string }) => e.code === 'DECISION_CONFLICT').map((e: { field: string[] }) => Number(e.field[2]));
    if (conflicts.length > 0) {
      const again = decisions.map((d, i) => (conflicts.includes(i) ? { ...d, conflictOverrideReason: '会议已核实现有救助情况，按职责予以补充救助' } : d));
      res = await hub.gql(CA, 'CASE_MEETING', MEETING, input(again), SUPERVISION_DEMO_OFFICER);
    }
    const recorded = res.data?.meetingRecord;
    const problems = res.errors?.map((e) => String(e.extensions?.code ?? e.message)) ?? recorded?.userErrors?.map((e: { code: string }) => e.code) ?? [];
    if (!recorded?.meeting || problems.length > 0) throw new Error(`supervision demo: meetingRecord refused: ${problems.join(', ') || 'no answer'}`);
    return recorded.meeting.decisions.map((d: { id: string }) => d.id);
  };

  /**
   * 司法 reports the legal aid it gave to the member the slip names (its ledger: the same record sent
   * again is already recorded), finds it among that person's aid and completes the slip with it. The
   * member is the slip's, and the aid looked up is the person's, not the household's: a start
   * completing the demo finds the household as it is now, and the member named may have left it since
   * (the household's aid is its current members').
   */
  const legalAidGiven = async (slot: string, slip: string, day: IsoDate, reference: string) => {
    const [{ beneficiary }] = await db.select({ beneficiary: referralSlip.beneficiaryIdNumber }).from(referralSlip).where(eq(referralSlip.id, Number(slip)));
    hub.at(cn(day, '15:00'));
    await ok(hub, 'aidReport', variable('JUSTICE'), 'DUPLICATE_CHECK', REPORT, { r: [{ reference, beneficiaryIdNumber: beneficiary, programme: 'LEGAL_AID', grantDate: day, amountFen: 0 }] });
    const aid = await hub.gql(variable('JUSTICE'), 'REFERRAL', REPORTED, { who: beneficiary });
    const record = aid.data?.person?.aid?.find((a: { reportedBy: { reference: string } | null }) => a.reportedBy?.reference === reference);
    if (!record) throw new Error('supervision demo: the legal aid reported is not on record');
    hub.at(cn(day, '16:00'));
    return answer('JUSTICE', 'referralComplete', COMPLETE, { i: { referralId: slip, feedback: '已指派法律援助律师，案件已受理', aidSourceReference: record.sourceReference, idempotencyKey: stepKey(`${slot}:legal:complete`) } });
  };
  const legalAid = (beneficiary: string, deadlineWorkingDays: number): Decision => ({ department: 'JUSTICE', programme: 'LEGAL_AID', amountFen: 0, deadlineWorkingDays, beneficiaryIdNumber: beneficiary, ask: '为申请人提供法律援助（劳动报酬争议）' });
  const accept = (step: string, department: string, slip: string, at: Date) => {
    hub.at(at);
    return answer(department, 'referralAccept', ACCEPT, { i: { referralId: slip, idempotencyKey: stepKey(step) } });
  };
  const expectStatus = (figure: keyof SupervisionDemoSummary, status: string, got: string) => {
    if (got !== status) throw new Error(`supervision demo: a slip meant to be ${figure} reads ${got}`);
    summary[figure] += 1;
  };

  // Case 1: decided 28 working days ago; 司法 in time, 医保 declines in time.
  // Case 1 is opened whenever anything is: slots are written in order.
  const [h1, h2, h3, h4, h5] = homes as [DemoHousehold, ...(DemoHousehold | null)[]];
  const c1 = await openCase('c1', h1.id, '劳动报酬被拖欠，家庭成员住院，申请救助', cn(W(FIRST_CASE_OPENED_DAYS), '09:00'), [['ACCEPTED', cn(W(FIRST_CASE_OPENED_DAYS), '09:30')], ['INVESTIGATING', cn(W(29), '09:00')], ['IN_DELIBERATION', cn(W(28), '09:00')]]);
  const [legal1, medical1] = await meet('c1', c1, W(28), [
    legalAid(h1.members[0], 10),
    { department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 300_000, deadlineWorkingDays: 5, beneficiaryIdNumber: h1.members.at(-1)!, ask: '核实住院费用，按规定给予医疗救助' },
  ]);
  await accept('c1:legal:accept', 'JUSTICE', legal1, cn(W(27), '09:00'));
  hub.at(cn(W(26), '10:00'));
  expectStatus('declined', 'MET', (await answer('HEALTH', 'referralDecline', DECLINE, { i: { referralId: medical1, reason: '本县医保系统无该成员住院结算记录，暂不符合医疗救助条件', idempotencyKey: stepKey('c1:medical:decline') } })).referral.deadlineStatus);
  expectStatus('answeredOnTime', 'MET', (await legalAidGiven('c1', legal1, W(25), 'RCSF-DEMO-0001')).referral.deadlineStatus);

  // The cases too few households are left for (the last ones) are not opened: a demo begun is
  // finished with the cases it opened (their slips answered, none left open by a start cut short).
  // Case 2: its opinion a working day late (3 working days from the report), decided 17 working days ago;
  // 司法 answers after its 3 working days, 人社 accepts and has not answered.
  if (h2) {
    const c2 = await openCase('c2', h2.id, '主要劳动力失业，追讨欠薪，申请就业援助', cn(W(22), '09:00'), [['ACCEPTED', cn(W(22), '09:30')], ['INVESTIGATING', cn(W(18), '09:00')], ['IN_DELIBERATION', cn(W(18), '15:00')]]);
    const [legal2, job2] = await meet('c2', c2, W(17), [
      legalAid(h2.members[0], 3),
      { department: 'HUMAN_RESOURCES', programme: 'EMPLOYMENT_AID', amountFen: 100_000, deadlineWorkingDays: 5, beneficiaryIdNumber: h2.members[0], ask: '认定就业困难人员，提供就业援助' },
    ]);
    await accept('c2:legal:accept', 'JUSTICE', legal2, cn(W(16), '09:00'));
    await accept('c2:job:accept', 'HUMAN_RESOURCES', job2, cn(W(16), '10:00'));
    expectStatus('answeredLate', 'MET_LATE', (await legalAidGiven('c2', legal2, W(11), 'RCSF-DEMO-0002')).referral.deadlineStatus);
    // 人社's slip, due 12 working days ago: past due.
    summary.openOverdue = 1;
  }

  // Case 3: decided the working day before today, due within 10 working days.
  if (h3) {
    const c3 = await openCase('c3', h3.id, '家庭成员突发重病，生活困难', cn(W(3), '09:00'), [['ACCEPTED', cn(W(3), '09:30')], ['INVESTIGATING', cn(W(2), '09:00')], ['IN_DELIBERATION', cn(W(2), '15:00')]]);
    await meet('c3', c3, W(1), [
      { department: 'UNION', programme: 'UNION_HARDSHIP', amountFen: 200_000, deadlineWorkingDays: 10, beneficiaryIdNumber: h3.members[0], ask: '按困难职工帮扶标准给予救助' },
      legalAid(h3.members[0], 10),
    ]);
    // Its two slips, not yet due.
    summary.openNotYetDue = 2;
  }

  // Case 4: accepted, not investigated since.
  if (h4) await openCase('c4', h4.id, '独居老人生活困难，申请临时救助', cn(W(8), '09:00'), [['ACCEPTED', cn(W(8), '09:30')]]);

  // Case 5: 低保 applied for at 古槐街道, investigated and reviewed there within its 3 working days, and
  // forwarded to 任城区民政局, whose approval it is (townshipApproval's default: 低保 is the county's).
  // The forward is the demo's last step (LAST_STEP).
  if (h5) {
    const c5 = await openCase('c5', h5.id, '家庭人均收入低于当地低保标准，申请最低生活保障', cn(W(6), '09:00'), [['ACCEPTED', cn(W(6), '09:30')], ['INVESTIGATING', cn(W(5), '09:00')]], review);
    hub.at(cn(W(4), '10:00'));
    const review5 = '经入户调查和家庭经济状况核对，家庭人均收入低于当地低保标准，符合低保条件，建议审批';
    await review('caseForwardForApproval', FORWARD, { i: { caseId: c5, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: review5, idempotencyKey: stepKey('c5:forward') } });
    summary.forwardedForApproval = 1;
  }

  return short ? { kind: 'WRITTEN_SHORT', summary, casesNeeded: SLOTS.length } : { kind: 'WRITTEN', summary };
}
