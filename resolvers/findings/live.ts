/**
 * Findings computed at request time: a household's and a person's findings, and the pre-grant
 * check. They gather facts through the request's DataLoaders (its department loaders for aid, plus
 * the findings loaders below, made by `createFindingLoaders` as part of the request's one set,
 * resolvers/context.ts: spells, settlements, certificates, the roll and stored statuses), so a household of one and a household of eight, or 400 households at once (a request asks the findings of at most 420 by id: server/query-cost.ts LIVE_FINDINGS_COST), cost the
 * same statements, and evaluate them with the same rule functions the region scan uses.
 *
 * A department that fails or is slower than its timeout is recorded in `unavailable` (the request
 * reports DEPARTMENT_UNAVAILABLE) and every rule that reads it is skipped, so a department being
 * down never shows up as missed aid. The pre-grant check skips a rule only for a department it
 * needs for the proposed programme (judgeProposal), and reports each such one as not answering.
 */
import DataLoader from 'dataloader';
import type { SourceDb } from '../../federation/contract';
import { inList } from '../../db/in-list';
import { groupByKey } from '../../db/batch';
import type { HubDb } from '../../db/connect';
import type { HubLoaders } from '../../db/household/loaders';
import { secondAidApprovalFacts, spellsAndPeople } from '../../db/findings/facts';
import { eventsOfFindings, findingsByFingerprints, scansByIds, viewOfFinding, type FindingEventRow, type FindingRow, type FindingView, type ScanView } from '../../db/findings/store';
import { householdMember } from '../../db/household/schema';
import { DEPARTMENT_CODES, sourceOf, type DepartmentCode } from '../../domain/departments';
import type { IsoDate } from '../../domain/dates';
import { PROGRAMME_BY_CODE, type ProgrammeCode } from '../../domain/programmes';
import { assembleHouseholds, assembleLonePerson, homeHousehold } from '../../domain/findings/assemble';
import { departmentsForProposal, judgeProposal, evaluateHousehold, programmesForProposal, rulesConcerning, type Proposal, type StayWeighed } from '../../domain/findings/evaluate';
import { recordKey, rollOn, type Finding, type HouseholdFacts, type PersonFacts, type SecondAidApprovalFacts, type Spell, type StudentFacts } from '../../domain/findings/facts';
import type { Rule } from '../../domain/findings/rule-set';
import { schoolYearDayOf } from '../../domain/findings/school-year';
import { schoolStageFit, stagesOf, type SchoolStageFit } from '../../domain/school-stages';
import { aidForPeople, MAX_IDS_PER_STATEMENT, readableAid, unavailableReason, withTimeout, type DepartmentLoaders, type OutcomeListener, type SourceOutcome } from '../../federation/loaders';
import { checkSources, type Source, type Sources } from '../../federation/sources';
import type { RequestReads } from '../../db/abandon';
import { ADAPTERS, factProvider } from '../../federation/registry';
import { settlementKey } from '../../domain/aid';
import { checkAnswer, type AidRecord, type CheckAsk, type DisabilityCertificate, type HospitalSettlement, type MonitoredSpell } from '../../federation/contract';

/** What a request offers the live findings: its hub, sources, loaders and unavailable map. */
export interface LiveRequest {
  hub: HubDb;
  sources: Sources;
  today: IsoDate;
  loaders: { hub: HubLoaders; departments: DepartmentLoaders; findings: FindingLoaders; checkFindings?: FindingLoaders; sourceOutcome?: OutcomeListener; reads?: RequestReads };
  unavailable: Map<DepartmentCode, SourceOutcome>;
}

/** Where a request's department reads record their outcome, and the request they are abandoned with (db/abandon.ts RequestReads). */
type ReadOutcomes = Pick<LiveRequest, 'unavailable'> & { onOutcome?: OutcomeListener; reads?: RequestReads };

const NO_UNRECOGNISED = { status: 0, programme: 0 };

/**
 * A batch read from one department with its timeout; a failure is recorded, never thrown. Its
 * outcome goes to the request's listener as a household read's does (resolvers/context.ts: the log
 * line `department source unavailable` and aidhub_source_*): a pre-grant check whose department
 * timed out answered complete: false to its caller and told the operator nothing.
 */
function guarded<T>(req: ReadOutcomes, source: Source, read: (db: SourceDb) => Promise<T[]>): Promise<T[] | null> {
  const started = performance.now();
  const latencyMs = () => Math.round(performance.now() - started);
  return withTimeout(source.timeoutMs, (scope) => read(scope.db(source.db)), req.reads).then(
    (rows) => {
      req.onOutcome?.({ department: source.code, available: true, latencyMs: latencyMs(), reason: null }, null, NO_UNRECOGNISED);
      return rows;
    },
    (err: unknown) => {
      const outcome: SourceOutcome = { department: source.code, available: false, latencyMs: latencyMs(), reason: unavailableReason(err) };
      // Told once per request and department, as the response carries one error for it: a check
      // reads a department more than once (its aid, then its certificates) and each read fails.
      const told = req.unavailable.has(source.code);
      req.unavailable.set(source.code, outcome);
      if (!told) req.onOutcome?.(outcome, err, NO_UNRECOGNISED);
      return null;
    },
  );
}

/** Each key's rows, and whether its department answered (a failed read gives every key none). */
function grouped<K, V>(keys: readonly K[], rows: readonly V[] | null, keyOf: (v: V) => K): { rows: V[]; ok: boolean }[] {
  return groupByKey(keys, rows ?? [], keyOf).map((list) => ({ rows: list, ok: rows !== null }));
}

/** Where the rules' facts beside aid come from (federation/registry.ts): one department each. */
const STAYS = factProvider('settlements');
const CERTIFICATES = factProvider('certificates');
const ROLL = factProvider('students');
const MONITORED = factProvider('monitored');

/** The findings' loaders of one request; part of the request's one set (resolvers/context.ts). */
export function createFindingLoaders(req: Pick<LiveRequest, 'hub' | 'sources' | 'today'> & ReadOutcomes) {
  const { hub, sources } = req;
  return {
    /** Every spell in these households, past members included. */
    spellsByHousehold: new DataLoader<number, Spell[]>(async (ids) => {
      const rows = await hub
        .select({ householdId: householdMember.householdId, idNumber: householdMember.idNumber, joinedOn: householdMember.joinedOn, leftOn: householdMember.leftOn })
        .from(householdMember)
        .where(inList(householdMember.householdId, [...ids]));
      return grouped(ids, rows, (r) => r.householdId).map((g) => g.rows);
    }),
    /** A person's spells in every household, and their birth and death dates. */
    personFacts: new DataLoader<string, { spells: Spell[]; person: PersonFacts | null }>(async (ids) => {
      const { spells, people } = await spellsAndPeople(hub, ids);
      const byPerson = grouped(ids, spells, (s) => s.idNumber);
      const person = new Map(people.map((p) => [p.idNumber, p]));
      return ids.map((id, i) => ({ spells: byPerson[i].rows, person: person.get(id) ?? null }));
    }),
    approvals: new DataLoader<string, SecondAidApprovalFacts[]>(async (ids) => grouped(ids, await secondAidApprovalFacts(hub, ids), (a) => a.idNumber).map((g) => g.rows)),
    stored: new DataLoader<string, FindingRow | null>(async (fps) => {
      const rows = new Map((await findingsByFingerprints(hub, fps)).map((r) => [r.fingerprint, r]));
      return fps.map((fp) => rows.get(fp) ?? null);
    }),
    scanById: new DataLoader<number, ScanView | null>(async (ids) => {
      const rows = new Map((await scansByIds(hub, ids)).map((r) => [r.id, r]));
      return ids.map((id) => rows.get(id) ?? null);
    }),
    eventsByFinding: new DataLoader<number, FindingEventRow[]>(async (ids) => grouped(ids, await eventsOfFindings(hub, ids), (e) => e.findingId).map((g) => g.rows)),
    settlementsByPerson: new DataLoader<string, { rows: HospitalSettlement[]; ok: boolean }>(
      async (ids) => grouped(ids, await guarded(req, sources[STAYS.code], (db) => STAYS.reader.byIdNumbers(db, ids)), (s) => s.idNumber),
      { maxBatchSize: MAX_IDS_PER_STATEMENT },
    ),
    settlementByRef: new DataLoader<string, { rows: HospitalSettlement[]; ok: boolean }>(
      async (refs) => grouped(refs.map(settlementKey), await guarded(req, sources[STAYS.code], (db) => STAYS.reader.byRefs(db, refs)), (s) => s.settlementRef),
      { maxBatchSize: MAX_IDS_PER_STATEMENT },
    ),
    certificates: new DataLoader<string, { rows: DisabilityCertificate[]; ok: boolean }>(
      async (ids) => grouped(ids, await guarded(req, sources[CERTIFICATES.code], (db) => CERTIFICATES.reader.byIdNumbers(db, ids)), (c) => c.idNumber),
      { maxBatchSize: MAX_IDS_PER_STATEMENT },
    ),
    /** Aid tied to a settlement, whoever received it, from every department whose aid can be (X7). */
    aidBySettlement: new DataLoader<string, AidRecord[]>(
      async (refs) => {
        const read = await Promise.all(
          DEPARTMENT_CODES.filter((d) => ADAPTERS[d].aidBySettlementRefs).map((d) => {
            const started = performance.now();
            return guarded(req, sources[d], (db) => ADAPTERS[d].aidBySettlementRefs!(db, refs, req.today)).then((read) => readable(req, d, started, read));
          }),
        );
        return grouped(refs.map(settlementKey), read.flatMap((r) => r ?? []), (r) => r.settlementRef ?? '').map((g) => g.rows);
      },
      { maxBatchSize: MAX_IDS_PER_STATEMENT },
    ),
    students: new DataLoader<string, { rows: StudentFacts[]; ok: boolean }>(
      async (ids) => grouped(ids, await guarded(req, sources[ROLL.code], (db) => ROLL.reader.byIdNumbers(db, ids)), (s) => s.idNumber),
      { maxBatchSize: MAX_IDS_PER_STATEMENT },
    ),
    /** Spells on the monitored low-income roll (civil affairs), for `Person.monitoredLowIncome`. */
    monitoredRoll: new DataLoader<string, { rows: MonitoredSpell[]; ok: boolean }>(
      async (ids) => grouped(ids, await guarded(req, sources[MONITORED.code], (db) => MONITORED.reader.byIdNumbers(db, ids)), (s) => s.idNumber),
      { maxBatchSize: MAX_IDS_PER_STATEMENT },
    ),
  };
}

export type FindingLoaders = ReturnType<typeof createFindingLoaders>;

/** The findings loaders of this request. */
export function findingLoaders(req: Pick<LiveRequest, 'loaders'>): FindingLoaders {
  return req.loaders.findings;
}

/** What a check reads of the departments beside the people's aid (`checkReads`). */
interface BesideAid {
  /** The aid tied to these stays, whoever received it, from every department whose aid can be (as the `aidBySettlement` loader). */
  tiedTo?: readonly string[];
  /** The people's certificates (as the `certificates` loader answers them). */
  certificates?: boolean;
  /** These stays (as the `settlementByRef` loader answers them). */
  stays?: readonly string[];
  /** The people's places on the roll (as the `students` loader answers them, which is primed with them). */
  students?: boolean;
}

/** A check's reads of the departments: the people's aid and what it reads beside it, each part in the order its loader answers it. */
interface CheckReads {
  records: AidRecord[];
  tied: AidRecord[];
  certificates: DisabilityCertificate[];
  stays: HospitalSettlement[];
  students: StudentFacts[];
}

/**
 * Aid of these people in only the programmes asked for, and what the check reads beside it
 * (`beside`). Each department that runs one of them is asked once, directly (one request, one read:
 * no batching to wait for), for those programmes; one asked for its aid and for something beside it
 * answers all in one statement where its adapter has `aidAndFacts` (federation/contract.ts: the
 * aid tied to a stay from health, the union and the ledger; the certificates from disability; the
 * stay itself from health; the roll from education, which primes the `students` loader so the
 * check's school stage reads no more). Anything else is read apart, the stays, certificates and roll
 * through their loaders. The same records, facts and order as the reads apart.
 */
async function checkReads(req: LiveRequest, ids: readonly string[], wanted: readonly DepartmentCode[], programmes: ReadonlySet<ProgrammeCode>, beside: BesideAid = {}): Promise<CheckReads> {
  const runs = departmentsRunning(programmes);
  const outcomes = checkOutcomes(req);
  const l = findingLoaders(req);
  const { tiedTo = [], certificates = false, stays = [], students = false } = beside;
  // Only the departments with something to read for this check are asked, each in its own async
  // function, all sent in this tick; most have nothing (a check's programmes run in one or two), and
  // an async function, its ask and a wait on five empty parts for each of them was a twentieth of
  // a check's garbage (docs/performance.md, Session 42). The rest add nothing to any part.
  const reads: Promise<CheckReads>[] = [];
  for (const d of DEPARTMENT_CODES) {
    const ofPeople = wanted.includes(d) && runs.has(d);
    const adapter = ADAPTERS[d];
    const tied = adapter.aidBySettlementRefs !== undefined && tiedTo.length > 0;
    const certificatesHere = certificates && d === CERTIFICATES.code;
    const staysHere = stays.length > 0 && d === STAYS.code;
    const studentsHere = students && d === ROLL.code;
    if (ofPeople || tied || certificatesHere || staysHere || studentsHere) reads.push(departmentReads(req, outcomes, l, d, ofPeople, { idNumbers: ids, today: req.today, programmes, ...(tied ? { tiedTo } : {}), ...(certificatesHere ? { certificates } : {}), ...(staysHere ? { stays } : {}), ...(studentsHere ? { students } : {}) }));
  }
  const read = await Promise.all(reads);
  // Each part as its loader answers it: by stay, person or stay, then by department.
  return {
    records: read.flatMap((r) => r.records),
    tied: grouped(tiedTo.map(settlementKey), read.flatMap((r) => r.tied), (r) => r.settlementRef ?? '').flatMap((g) => g.rows),
    certificates: grouped(ids, read.flatMap((r) => r.certificates), (c) => c.idNumber).flatMap((g) => g.rows),
    stays: grouped(stays.map(settlementKey), read.flatMap((r) => r.stays), (s) => s.settlementRef).flatMap((g) => g.rows),
    students: grouped(ids, read.flatMap((r) => r.students), (s) => s.idNumber).flatMap((g) => g.rows),
  };
}

/** One department's part of a check's reads (checkReads): what `ask` names, read at once. */
async function departmentReads(req: LiveRequest, outcomes: ReturnType<typeof checkOutcomes>, l: ReturnType<typeof findingLoaders>, d: DepartmentCode, ofPeople: boolean, ask: CheckAsk): Promise<CheckReads> {
  const { idNumbers: ids, programmes, tiedTo = [], stays = [] } = ask;
  const adapter = ADAPTERS[d];
  const started = performance.now();
  if (ofPeople && adapter.aidAndFacts && (ask.tiedTo || ask.certificates || ask.stays || ask.students)) {
    const read = await guarded(outcomes, req.sources[d], async (db) => [await adapter.aidAndFacts!(db, ask)]);
    const all = read ? read[0] : checkAnswer({});
    // As the loader would have answered them (a failed read: not ok), so a later load reads no more.
    if (ask.students) grouped(ids, read && all.students, (x) => x.idNumber).forEach((roll, i) => l.students.clear(ids[i]).prime(ids[i], roll));
    return { records: readable(outcomes, d, started, read && all.aid), tied: readable(outcomes, d, started, read && all.tied), certificates: all.certificates, stays: all.stays, students: all.students };
  }
  const [records, tied, certs, standing, roll] = await Promise.all([
    ofPeople ? guarded(outcomes, req.sources[d], (db) => adapter.aidByIdNumbers(db, ids, req.today, programmes)).then((read) => readable(outcomes, d, started, read)) : [],
    ask.tiedTo ? guarded(outcomes, req.sources[d], (db) => adapter.aidBySettlementRefs!(db, tiedTo, req.today)).then((read) => readable(outcomes, d, started, read)) : [],
    ask.certificates ? l.certificates.loadMany(ids) : [],
    ask.stays ? l.settlementByRef.loadMany(stays) : [],
    ask.students ? l.students.loadMany(ids) : [],
  ]);
  return { records, tied: tied ?? [], certificates: loadedRows(certs), stays: loadedRows(standing), students: loadedRows(roll) };
}

/** The rows a fact loader's `loadMany` answered (none for a key whose read failed). */
function loadedRows<T>(loaded: readonly ({ rows: T[] } | Error)[]): T[] {
  return loaded.flatMap((x) => (x instanceof Error ? [] : x.rows));
}

/** The departments that run one of these programmes. */
function departmentsRunning(programmes: ReadonlySet<ProgrammeCode>): Set<DepartmentCode> {
  return new Set([...programmes].map((p) => sourceOf(PROGRAMME_BY_CODE.get(p)!.department)));
}

/** Where a check's department reads record their outcome: the request's unavailable map and listener. */
function checkOutcomes(req: LiveRequest) {
  return { unavailable: req.unavailable, onOutcome: req.loaders.sourceOutcome, reads: req.loaders.reads };
}

/**
 * A department's aid as a check reads it, the people's or the aid tied to a stay (none for a read
 * that failed): as the household's loaders do (federation/loaders.ts), a record the hub cannot read
 * is left out and the department reported incomplete. The aid tied to a stay was taken as read: a
 * payment of a fraction of a fen to someone outside the household went into the stay's sum (X7
 * "合计 NaN.NaN 元") with the check `complete`.
 */
function readable(outcomes: Pick<LiveRequest, 'unavailable'> & { onOutcome?: OutcomeListener }, d: DepartmentCode, started: number, read: AidRecord[] | null): AidRecord[] {
  if (!read) return [];
  const { records, unreadable } = readableAid(read);
  if (unreadable) {
    const outcome: SourceOutcome = { department: d, available: false, latencyMs: Math.round(performance.now() - started), reason: 'UNREADABLE_ROWS' };
    const told = outcomes.unavailable.has(d);
    outcomes.unavailable.set(d, outcome);
    if (!told) outcomes.onOutcome?.(outcome, unreadable, NO_UNRECOGNISED);
  }
  return records;
}

/**
 * Department facts for these people, from the departments asked. Aid comes through the request's
 * loaders, or with `programmes` only in those programmes.
 */
async function departmentFacts(
  req: LiveRequest,
  ids: readonly string[],
  departments: ReadonlySet<DepartmentCode>,
  programmes?: ReadonlySet<ProgrammeCode>,
  extraRefs: readonly string[] = [],
  onlyStays?: readonly string[],
) {
  const l = findingLoaders(req);
  const wanted = DEPARTMENT_CODES.filter((d) => departments.has(d));
  const none = Promise.resolve([] as { rows: never[]; ok: boolean }[]);
  if (onlyStays && programmes && departments.has(STAYS.code)) return departmentFactsOfStays(req, ids, wanted, programmes, onlyStays);
  // A check reads the certificates and the roll beside the aid (in one statement where disability or education runs a programme asked about).
  const certificates = departments.has(CERTIFICATES.code);
  const students = departments.has(ROLL.code);
  const [aid, stays, certs, roll] = await Promise.all([
    programmes ? checkReads(req, ids, wanted, programmes, { certificates, students }) : aidForPeople(req.loaders.departments, ids, wanted),
    departments.has(STAYS.code) ? l.settlementsByPerson.loadMany(ids) : none,
    certificates && !programmes ? l.certificates.loadMany(ids) : none,
    students && !programmes ? l.students.loadMany(ids) : none,
  ]);
  const settlements = new Map<string, HospitalSettlement>();
  for (const s of stays as { rows: HospitalSettlement[] }[]) for (const x of s.rows) settlements.set(x.settlementRef, x);
  // A record under an undocumented status code counts for no rule: the stay it names is not read for
  // it (a typo'd row would cost the household query a statement more).
  const missing = [...new Set([...aid.records.flatMap((r) => (r.settlementRef && r.status !== 'UNRECOGNISED' && !settlements.has(r.settlementRef) ? [r.settlementRef] : [])), ...extraRefs.filter((r) => !settlements.has(r))])];
  if (departments.has(STAYS.code) && missing.length > 0) {
    for (const s of (await l.settlementByRef.loadMany(missing)) as { rows: HospitalSettlement[] }[]) for (const x of s.rows) settlements.set(x.settlementRef, x);
  }
  // Aid for these stays paid to anyone (a relative's union grant in another household) counts too.
  const tiedReaders = DEPARTMENT_CODES.some((d) => departments.has(d) && ADAPTERS[d].aidBySettlementRefs);
  const settlementAid = tiedReaders && settlements.size > 0 ? ((await l.aidBySettlement.loadMany([...settlements.keys()])).filter((x) => !(x instanceof Error)) as AidRecord[][]).flat() : [];
  return {
    settlementAid: settlementAid.filter((r) => departments.has(sourceOf(r.department))),
    records: aid.records,
    settlements,
    certificates: 'certificates' in aid ? aid.certificates : (certs as { rows: DisabilityCertificate[] }[]).flatMap((c) => c.rows),
    students: 'students' in aid ? aid.students : (roll as { rows: StudentFacts[] }[]).flatMap((s) => s.rows),
  };
}

/**
 * Department facts when only some stays matter (a pre-grant check whose rules read stays only to
 * add up the aid tied to the proposal's own stay, X7): those stays and everything tied to them are
 * read beside the aid, in the same round, instead of every member's stays first and the aid tied
 * to each of them after; a department asked for its aid and any of these answers in one statement
 * (`checkReads`: medical insurance its aid, the aid tied to the stay and the stay; disability its
 * aid and the certificates; education its aid and the roll).
 */
async function departmentFactsOfStays(req: LiveRequest, ids: readonly string[], wanted: readonly DepartmentCode[], programmes: ReadonlySet<ProgrammeCode>, refs: readonly string[]) {
  const departments = new Set(wanted);
  const tiedReaders = wanted.some((d) => ADAPTERS[d].aidBySettlementRefs);
  // A department asked for its aid and for the stay, the aid tied to it, its certificates or the roll, asked once.
  const reads = await checkReads(req, ids, wanted, programmes, { tiedTo: tiedReaders ? refs : [], stays: refs, certificates: departments.has(CERTIFICATES.code), students: departments.has(ROLL.code) });
  const settlements = new Map<string, HospitalSettlement>();
  for (const x of reads.stays) settlements.set(x.settlementRef, x);
  // Aid is tied to a stay medical insurance knows (as departmentFacts reads it: by the stays found).
  const settlementAid = reads.tied.filter((r) => r.settlementRef && settlements.has(r.settlementRef));
  return {
    settlementAid: settlementAid.filter((r) => departments.has(sourceOf(r.department))),
    records: reads.records,
    settlements,
    certificates: reads.certificates,
    students: reads.students,
  };
}

/**
 * The stays a pre-grant check needs, when it needs no others: the proposal's own, if every rule
 * concerned that reads stays adds up aid per stay (X7, which reports only the proposal's stay);
 * undefined when a rule concerned reads a person's stays otherwise (out-of-pocket costs).
 */
function staysForProposal(plan: CheckPlan, proposal: Proposal): string[] | undefined {
  return plan.readsEveryStay ? undefined : stayOf(proposal);
}

/**
 * What the rule set makes of a proposed programme: the rules concerned, the departments and
 * programmes they read, whether one reads a person's every stay (out-of-pocket costs) rather than
 * the proposal's own, and whether one exempts approved second aids. It depends only on the rule set,
 * the programme and whether the proposal names a stay (departmentsForProposal), so it is worked out
 * once for each and kept with the rule set (a locality's file read again is another rule set), not
 * again between a check's household read and its department round.
 */
export interface CheckPlan {
  concerned: readonly Rule[];
  needed: ReadonlySet<DepartmentCode>;
  programmes: ReadonlySet<ProgrammeCode>;
  readsEveryStay: boolean;
  wantsApprovals: boolean;
}

const PLANS = new WeakMap<readonly Rule[], Map<string, CheckPlan>>();

export function checkPlan(rules: readonly Rule[], proposal: Pick<Proposal, 'programme' | 'settlementRef'>): CheckPlan {
  const key = `${proposal.programme}${proposal.settlementRef ? ' with a stay' : ''}`;
  let plans = PLANS.get(rules);
  if (!plans) PLANS.set(rules, (plans = new Map()));
  let plan = plans.get(key);
  if (!plan) {
    const concerned = rulesConcerning(rules, proposal.programme);
    const needed = new Set<DepartmentCode>();
    for (const r of concerned) for (const d of departmentsForProposal(r, proposal)) needed.add(d);
    plan = {
      concerned,
      needed,
      programmes: programmesForProposal(concerned),
      readsEveryStay: concerned.some((r) => r.kind === 'MISSED_AID' && r.when.some((c) => c.fact === 'OUT_OF_POCKET')),
      // Approvals of a second aid matter only to a rule that exempts them.
      wantsApprovals: concerned.some((r) => r.kind === 'REPEATED_GRANTS' && r.secondAidExempt),
    };
    plans.set(key, plan);
  }
  return plan;
}

const ALL_DEPARTMENTS: ReadonlySet<DepartmentCode> = new Set(DEPARTMENT_CODES);

async function householdFacts(req: LiveRequest, householdId: number): Promise<HouseholdFacts> {
  const l = findingLoaders(req);
  const spellsHere = await l.spellsByHousehold.load(householdId);
  const ids = [...new Set(spellsHere.map((s) => s.idNumber))];
  const [people, departments, approvals] = await Promise.all([l.personFacts.loadMany(ids), departmentFacts(req, ids, ALL_DEPARTMENTS), l.approvals.loadMany(ids)]);
  // Where the patients and beneficiaries of this household's stays live decides who reports a stay (X7).
  const here = new Set(ids);
  const outsiders = [...new Set([...[...departments.settlements.values()].map((s) => s.idNumber), ...departments.settlementAid.map((r) => r.beneficiaryIdNumber)])].filter((id) => !here.has(id));
  const around = outsiders.length > 0 ? await l.personFacts.loadMany(outsiders) : [];
  const known = [...people, ...around].filter((p): p is { spells: Spell[]; person: PersonFacts | null } => !(p instanceof Error));
  const [facts] = assembleHouseholds({
    householdIds: [householdId],
    spells: known.flatMap((p) => p.spells),
    people: new Map(known.flatMap((p) => (p.person ? [[p.person.idNumber, p.person] as const] : []))),
    departments,
    secondAidApprovals: (approvals.filter((a) => !(a instanceof Error)) as SecondAidApprovalFacts[][]).flat(),
  });
  return facts;
}

async function withStatus(req: LiveRequest, found: Finding[]): Promise<FindingView[]> {
  const stored = await findingLoaders(req).stored.loadMany(found.map((f) => f.fingerprint));
  return found.map((f, i) => viewOfFinding(f, stored[i] instanceof Error ? null : (stored[i] as FindingRow | null)));
}

function unavailableSet(req: LiveRequest): Set<DepartmentCode> {
  return new Set(req.unavailable.keys());
}

/** Every finding of a household as its records stand now, with stored statuses. */
export async function householdFindings(req: LiveRequest, householdId: number, rules: readonly Rule[], opts: { anyOwner?: boolean } = {}): Promise<FindingView[]> {
  const facts = await householdFacts(req, householdId);
  return withStatus(req, evaluateHousehold(facts, rules, req.today, { unavailable: unavailableSet(req), anyOwner: opts.anyOwner }));
}

/** A person's findings: those of their home household that involve them, or their own if they have none. */
export async function personFindings(req: LiveRequest, idNumber: string, rules: readonly Rule[]): Promise<FindingView[]> {
  const l = findingLoaders(req);
  const { spells, person } = await l.personFacts.load(idNumber);
  const home = homeHousehold(spells);
  // A stay aided across households belongs to the patient's, but shows on every person aided for it.
  if (home !== null) return (await householdFindings(req, home, rules, { anyOwner: true })).filter((f) => f.idNumbers.includes(idNumber));
  const [departments, approvals] = await Promise.all([departmentFacts(req, [idNumber], ALL_DEPARTMENTS), l.approvals.load(idNumber)]);
  const facts = assembleLonePerson(idNumber, person, departments, approvals);
  return withStatus(req, evaluateHousehold(facts, rules, req.today, { unavailable: unavailableSet(req) }));
}

/**
 * The households a proposed grant falls in. One-off aid: the beneficiary's on its date. Recurring
 * aid: every household the beneficiary is a member of for some day of its period, each judged on
 * the days spent in it; a period starting before a move reached only the household left, and a
 * conflict with the new one's aid (X4) went unseen. Neither: their home (person rules only, as no
 * day of the grant falls in it).
 */
function householdsOfProposal(spells: readonly Spell[], proposal: Proposal): number[] {
  if (proposal.periodStart !== null) {
    const { periodStart: start, periodEnd: end } = proposal;
    const meeting = spells.filter((s) => (s.leftOn === null || start < s.leftOn) && (end === null || s.joinedOn <= end));
    if (meeting.length > 0) return [...new Set(meeting.map((s) => s.householdId))].sort((a, b) => a - b);
  } else if (proposal.grantDate !== null) {
    const date = proposal.grantDate;
    const covering = spells.filter((s) => s.joinedOn <= date && (s.leftOn === null || date < s.leftOn));
    if (covering.length > 0) return [homeHousehold(covering)!];
  }
  const home = homeHousehold(spells);
  return home === null ? [] : [home];
}

/** Findings of the same identity found in two households' facts (a person rule, a stay) once. */
function uniqueFindings(found: readonly Finding[]): Finding[] {
  const byFingerprint = new Map<string, Finding>();
  for (const f of found) if (!byFingerprint.has(f.fingerprint)) byFingerprint.set(f.fingerprint, f);
  return [...byFingerprint.values()];
}

/** The stay a proposed grant is tied to: its settlement is read even when nobody here was the patient. */
function stayOf(proposal: Proposal): string[] {
  return proposal.settlementRef ? [proposal.settlementRef] : [];
}

/**
 * The proposal's stay among the facts even when its patient lives elsewhere (aid for a relative's
 * stay), with every other aid tied to it: the proposal is judged on everything paid for the stay.
 */
function withProposedStay(facts: HouseholdFacts, departments: { settlements: ReadonlyMap<string, HospitalSettlement>; settlementAid: readonly AidRecord[] }, proposal: Proposal): HouseholdFacts {
  const ref = proposal.settlementRef;
  const stay = ref ? departments.settlements.get(ref) : undefined;
  if (!ref || !stay) return facts;
  const settlements = new Map(facts.settlements);
  settlements.set(ref, stay);
  const have = new Set([...facts.records, ...(facts.settlementAid ?? [])].map((r) => `${r.department}:${r.sourceRef}`));
  const tied = departments.settlementAid.filter((r) => r.settlementRef === ref && !have.has(`${r.department}:${r.sourceRef}`));
  return { ...facts, settlements, settlementAid: [...(facts.settlementAid ?? []), ...tied] };
}

/**
 * Whether medical insurance holds `ref` as a standing settlement (not reversed, 冲销); null when it
 * did not answer (its DEPARTMENT_UNAVAILABLE goes with the response).
 */
export async function settlementStands(req: LiveRequest, ref: string): Promise<boolean | null> {
  const read = await findingLoaders(req).settlementByRef.load(ref);
  return read.ok ? read.rows.length > 0 : null;
}

/**
 * The request as a department's pre-grant query reads it: every department through the connections
 * its source keeps for checks (federation/sources.ts), with the request's finding loaders over
 * them, so a check does not queue behind the household queries that fill the shared pools. The
 * hub's own reads and the request's other loaders are the request's.
 */
export function throughCheckLane(req: LiveRequest): LiveRequest {
  const sources = checkSources(req.sources);
  const onOutcome = req.loaders.sourceOutcome;
  const reads = req.loaders.reads;
  const findings = req.loaders.checkFindings ?? createFindingLoaders({ hub: req.hub, sources, unavailable: req.unavailable, today: req.today, onOutcome, reads });
  return { ...req, sources, loaders: { hub: req.loaders.hub, departments: req.loaders.departments, findings, sourceOutcome: onOutcome, reads } };
}

/**
 * A person's death date as the hub holds it: from the households read the pre-grant check reads
 * anyway (the same loader, so no statement more), or for someone in no household from their own row.
 */
export async function deathDateOf(req: LiveRequest, idNumber: string): Promise<IsoDate | null> {
  const around = await req.loaders.hub.householdsOfPerson.load(idNumber);
  if (around.person) return around.person.deathDate;
  return (await findingLoaders(req).personFacts.load(idNumber)).person?.deathDate ?? null;
}

export interface PreGrantResult {
  findings: Finding[];
  /** Departments that did not answer: the check could not look at what they hold. */
  unavailable: DepartmentCode[];
  /** Departments whose data the rules concerned needed. */
  consulted: DepartmentCode[];
  /** The household's grants a rule concerned could not compare with the proposal: their cause code is undocumented. */
  causeUnrecognised: AidRecord[];
  /**
   * The proposal names a hospital settlement that medical insurance, having answered, does not hold
   * as a standing stay (no such settlement, or one reversed, 冲销): the rule adding up aid per stay
   * (X7) had no burden to judge it against. False when no rule concerned reads the stay, or medical
   * insurance did not answer (the check is incomplete then).
   */
  settlementUnknown: boolean;
  /**
   * The proposal's programme is paid for the patient's own costs (a SETTLEMENT_EXCESS rule's
   * `patientOnly`: 医疗救助) and the stay it names is another person's: a mistaken number or a
   * mistaken beneficiary. False when the stay was not read (settlementUnknown, or incomplete).
   */
  settlementOtherPerson: boolean;
  /** The stay the proposal names as each rule adding up aid per stay weighed it (burden, paid besides the proposal); none when it was not weighed. */
  stays: StayWeighed[];
  /**
   * How the programme fits the beneficiary's school stage on the grant's day, as the education roll
   * holds it (domain/school-stages.ts): NOT_CHECKED for a programme of any stage; STAGE_UNKNOWN when
   * education did not answer (it is then among `unavailable`).
   */
  schoolStage: SchoolStageFit;
}

/**
 * How a stage-bound programme fits the beneficiary's stage on the grant's day, moved into the school
 * year it names when it falls outside it (schoolYearDayOf, as X13 judges aid on record: 国家助学金
 * granted in August for the coming 高中 year is judged on 1 September, a late one on 31 August of its
 * year), by the entry in school that day enrolled most recently (stageOnTheDay; a primary pupil's
 * 国家助学金 was answered clear: no rule read the stage). Education not answering is STAGE_UNKNOWN, never a fit.
 */
async function schoolStageOf(req: LiveRequest, proposal: Proposal): Promise<SchoolStageFit> {
  if (stagesOf(proposal.programme) === null) return 'NOT_CHECKED';
  const roll = await findingLoaders(req).students.load(proposal.beneficiaryIdNumber);
  if (!roll.ok) return 'STAGE_UNKNOWN';
  const day = schoolYearDayOf(proposal)!;
  return schoolStageFit(proposal.programme, rollOn(roll.rows, day));
}

/**
 * The conflicts and warnings a proposed grant would cause. Reads only what the rules concerning
 * the proposed programme need (a temporary aid reads three civil affairs tables and nothing else),
 * and writes nothing. `everything: true` reads all aid of the departments concerned instead: the
 * same answer, more reads (a test compares the two).
 */
export async function preGrantCheck(
  req: LiveRequest,
  proposal: Proposal,
  rules: readonly Rule[],
  /**
   * `leaveOut`: aid on record that the proposal stands in place of (the entry a reported correction
   * supersedes, or the proposal's own entry when it is a retry of one already recorded): judged
   * without it, so the proposal is neither counted twice nor let off a conflict it causes alone.
   */
  opts: { everything?: boolean; leaveOut?: (record: AidRecord) => boolean } = {},
): Promise<PreGrantResult> {
  const plan = checkPlan(rules, proposal);
  const { concerned, needed, wantsApprovals } = plan;
  const programmes = opts.everything ? undefined : plan.programmes;
  // Reading everything keeps every stay of the household and the aid tied to each (a test compares the two).
  const onlyStays = opts.everything ? undefined : staysForProposal(plan, proposal);
  const l = findingLoaders(req);
  const id = proposal.beneficiaryIdNumber;
  // Education is consulted for the stage. Where the facts read the roll (education needed) they
  // answer it, read with education's aid in one statement where they can (`checkReads` primes the
  // roll loader), so it is read after them; otherwise beside them.
  const stageBeside = needed.has(ROLL.code) ? null : schoolStageOf(req, proposal);
  const asked = new Set(needed);
  if (stagesOf(proposal.programme) !== null) asked.add(ROLL.code);
  // The beneficiary's households and everyone in them: read by the region check already, so free here.
  const around = await req.loaders.hub.householdsOfPerson.load(id);
  const spells = around.spells.filter((s) => s.idNumber === id);
  const householdIds = householdsOfProposal(spells, proposal);
  let facts: HouseholdFacts[];
  if (householdIds.length === 0) {
    // In no household: the person's own dates still matter (aid after death), and their approvals,
    // which no household's read brought, are read beside the departments.
    const approvalsOf = (who: readonly string[]): Promise<SecondAidApprovalFacts[]> =>
      wantsApprovals ? l.approvals.loadMany(who).then((all) => (all.filter((a) => !(a instanceof Error)) as SecondAidApprovalFacts[][]).flat()) : Promise.resolve([]);
    const [own, departments, approvals] = await Promise.all([l.personFacts.load(id), departmentFacts(req, [id], needed, programmes, stayOf(proposal), onlyStays), approvalsOf([id])]);
    facts = [withProposedStay(assembleLonePerson(id, own.person, departments, approvals), departments, proposal)];
  } else {
    const beneficiary = around.person;
    const chosen = new Set(householdIds);
    const spellsThere = around.spells.filter((s) => chosen.has(s.householdId));
    const ids = [...new Set([id, ...spellsThere.map((s) => s.idNumber)])];
    // The approvals came with the households (householdsOfPerson): no hub statement beside the departments' round.
    const these = new Set(ids);
    const approvals = wantsApprovals ? around.approvals.filter((a) => these.has(a.idNumber)) : [];
    const departments = await departmentFacts(req, ids, needed, programmes, stayOf(proposal), onlyStays);
    // Only the beneficiary's person rules run: other members' standing findings are not the proposal's.
    facts = assembleHouseholds({
      householdIds,
      spells: [...spellsThere, ...spells.filter((s) => !chosen.has(s.householdId))],
      people: new Map(beneficiary ? [[id, beneficiary]] : []),
      departments,
      secondAidApprovals: approvals,
    }).map((f) => withProposedStay({ ...f, homeMembers: new Set([id]) }, departments, proposal));
  }
  const leaveOut = opts.leaveOut;
  if (leaveOut) facts = facts.map((f) => ({ ...f, records: f.records.filter((r) => !leaveOut(r)), settlementAid: f.settlementAid?.filter((r) => !leaveOut(r)) }));
  const unavailable = unavailableSet(req);
  const judged = facts.map((f) => judgeProposal(f, proposal, concerned, req.today, { unavailable }));
  const stay = proposal.settlementRef ?? null;
  return {
    settlementUnknown: stay !== null && needed.has(STAYS.code) && !unavailable.has(STAYS.code) && !facts.some((f) => f.settlements.has(stay)),
    settlementOtherPerson:
      stay !== null &&
      concerned.some((r) => r.kind === 'SETTLEMENT_EXCESS' && (r.patientOnly as readonly string[]).includes(proposal.programme)) &&
      facts.some((f) => (f.settlements.get(stay)?.idNumber ?? proposal.beneficiaryIdNumber) !== proposal.beneficiaryIdNumber),
    findings: uniqueFindings(judged.flatMap((j) => j.findings)),
    causeUnrecognised: [...new Map(judged.flatMap((j) => j.causeUnrecognised).map((r) => [recordKey(r), r])).values()],
    // The same stay read for each of the beneficiary's households: one weight per rule, the most paid.
    stays: [...new Map(judged.flatMap((j) => j.stays).sort((a, b) => a.paidFen - b.paidFen).map((s) => [`${s.ruleId}:${s.settlementRef}`, s])).values()],
    unavailable: [...unavailable].filter((d) => asked.has(d)),
    consulted: DEPARTMENT_CODES.filter((d) => asked.has(d)),
    schoolStage: await (stageBeside ?? schoolStageOf(req, proposal)),
  };
}
