/**
 * One function per kind of rule. Each works on one household's facts at a time, grouping by
 * person (or household), cause, year or settlement and sweeping sorted periods, so the work grows
 * with the records of one household, never with the square of a region.
 */
import { ageOn, type IsoDate } from '../dates';
import type { OfficeCode as DepartmentCode } from '../departments';
import { certificateHeld, type HeldCertificate } from '../aid';
import { groupBy } from '../group-by';
import { PROGRAMME_BY_CODE, type ProgrammeCode } from '../programmes';
import { programmesForStudent, schoolStageFit, stageOnTheDay, stagesOf, type SchoolStage } from '../school-stages';
import { heldOn, householdPieces, isLive, knownEnd, membersOn, periodOf, type Piece } from './attribution';
import { explain } from './explain';
import { onRollOn, recordKey, rollOn, type AidCause, type AidRecord, type Finding, type HospitalSettlement, type HouseholdFacts, type Measure, type MetCondition, type Spell } from './facts';
import { contentHashOf, fingerprintOf, recordContent } from './identity';
import {
  intersect,
  firstDayUnentitledAfterDeath,
  monthIndex,
  overlapDays,
  schoolYearBounds,
  schoolYearOf,
  trailingWindow,
  withinMonthsAfter,
  type Interval,
} from './periods';
import { schoolYearDayOf } from './school-year';
import { passes, thresholdOf, type Condition, type ExpectedWithin, type Rule, type RuleOf, type RuleScope } from './rule-set';
import { birthDateOf as birthDateInIdNumber } from '../id-number';

/** The source reference of a proposed grant (evaluate.ts): never a duplicate of a stored record. */
const PROPOSED_SOURCE_REF = 'PROPOSED';

/** What every rule of one household shares, computed once. */
export class HouseholdContext {
  /** Live records by beneficiary. */
  readonly byPerson: Map<string, AidRecord[]>;
  /** Members today (empty without a household). */
  readonly currentMembers: Set<string>;
  /** Spells in this household (facts may carry others, used elsewhere to find people's homes). */
  readonly spells: Spell[];
  /** Programmes anyone here holds or held: most households hold none a rule is about. */
  readonly programmes: Set<string>;
  /** Conditions that do not depend on the person, worked out once per household (made when first needed: most households need none). */
  householdConditions: Map<Condition, Met | null> | null = null;
  /** The stays each SETTLEMENT_EXCESS rule weighs (staySums), worked out once: a pre-grant check reads them for its findings and again for the stays it returns. Made when first needed. */
  staysByRule: Map<RuleOf<'SETTLEMENT_EXCESS'>, StaySum[]> | null = null;
  private pieces: Piece[] | null = null;
  /** The missed-aid rules' subjects by scope (missedAidSubjects), made when first needed. */
  personSubjects: Subjects | null = null;
  householdSubjects: Subjects | null = null;

  constructor(
    readonly facts: HouseholdFacts,
    readonly today: IsoDate,
    /** A pre-grant check: a proposal's conflict is reported whichever household owns the stay. */
    readonly anyOwner = false,
  ) {
    // One pass over the records (no array of the live ones, nor of their programmes).
    this.programmes = new Set();
    this.byPerson = new Map();
    for (const r of facts.records) {
      if (!isLive(r)) continue;
      this.programmes.add(r.programme);
      const theirs = this.byPerson.get(r.beneficiaryIdNumber);
      if (theirs) theirs.push(r);
      else this.byPerson.set(r.beneficiaryIdNumber, [r]);
    }
    this.spells = facts.householdId === null ? [] : facts.spells.filter((s) => s.householdId === facts.householdId);
    this.currentMembers = membersOn(this.spells, today);
  }

  /** The household's records as far as they fall within its members' spells. */
  householdPieces(): Piece[] {
    this.pieces ??= householdPieces(this.facts.records, this.spells);
    return this.pieces;
  }

  personPieces(idNumber: string): Piece[] {
    return (this.byPerson.get(idNumber) ?? []).map((record) => ({ record, period: periodOf(record) }));
  }

  /**
   * Pieces for one subject: a person (all their records) or the household (its members' spells).
   * A person in no household (a care-home resident, someone only the departments know) is a
   * household of one to the household rules: their own aid is all their household's (X5 counted
   * two grants for one cause to them as none, X4 a flat beside a rent subsidy as none).
   */
  subjects(scope: 'PERSON' | 'HOUSEHOLD'): { subject: string; ids: string[]; pieces: Piece[] }[] {
    if (scope === 'HOUSEHOLD' && this.facts.householdId !== null) return [{ subject: `H:${this.facts.householdId}`, ids: [], pieces: this.householdPieces() }];
    return [...this.facts.homeMembers].sort().map((id) => ({ subject: `P:${id}`, ids: [id], pieces: this.personPieces(id) }));
  }

  isAlive(idNumber: string): boolean {
    const death = this.facts.people.get(idNumber)?.deathDate ?? null;
    return death === null || death > this.today;
  }
}

interface Draft {
  scope: RuleScope;
  idNumbers: Iterable<string>;
  records: AidRecord[];
  measure: Measure;
  ongoing: boolean;
  /** Identity keys beyond the records' own (the subject, a certificate, a school year). */
  keys?: string[];
  /** Content beyond the records' own. */
  content?: string[];
  departments?: DepartmentCode[];
  /** The household the finding belongs to, when not this one (a stay owned by the patient's). */
  householdId?: number | null;
}

function build(rule: Rule, ctx: HouseholdContext, d: Draft): Finding {
  const keys = [...d.records.map(recordKey), ...(d.keys ?? [])];
  const content = [...d.records.map(recordContent), ...(d.content ?? [])];
  const departments = d.departments ?? [...new Set(d.records.map((r) => r.department))];
  return {
    ruleId: rule.id,
    kind: rule.kind,
    severity: rule.severity,
    scope: d.scope,
    householdId: d.householdId !== undefined ? d.householdId : ctx.facts.householdId,
    idNumbers: [...new Set(d.idNumbers)].sort(),
    records: d.records,
    measure: d.measure,
    departments: [...new Set(departments)].sort(),
    ongoing: d.ongoing,
    fingerprint: fingerprintOf(rule.id, keys),
    contentHash: contentHashOf(content),
    ...(d.content?.length ? { contentBeyondRecords: d.content } : {}),
    explanation: explain(rule, d.measure, d.records),
  };
}

function byStart(a: Piece, b: Piece): number {
  const x = a.period!.start;
  const y = b.period!.start;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stillOpenAt(p: Piece, day: IsoDate): boolean {
  return p.period!.end === null || p.period!.end >= day;
}

/**
 * Every overlapping (first, second) pair, by a sweep over pieces sorted by start: each piece meets
 * only the pieces of the other group still open when it starts.
 */
export function crossOverlaps(first: readonly Piece[], second: readonly Piece[]): [Piece, Piece, Interval][] {
  const items = [...first.map((p) => ({ p, side: 0 as const })), ...second.map((p) => ({ p, side: 1 as const }))]
    .filter((i) => i.p.period !== null)
    .sort((a, b) => byStart(a.p, b.p));
  const open: [Piece[], Piece[]] = [[], []];
  const out: [Piece, Piece, Interval][] = [];
  for (const { p, side } of items) {
    const other = side === 0 ? 1 : 0;
    open[other] = open[other].filter((o) => stillOpenAt(o, p.period!.start));
    for (const o of open[other]) {
      if (o.record === p.record) continue;
      const overlap = intersect(o.period!, p.period!);
      if (overlap) out.push(side === 0 ? [p, o, overlap] : [o, p, overlap]);
    }
    open[side].push(p);
  }
  return out;
}

/** Every overlapping pair within one group (the same programme held twice). */
export function selfOverlaps(pieces: readonly Piece[]): [Piece, Piece, Interval][] {
  const sorted = pieces.filter((p) => p.period !== null).sort(byStart);
  let open: Piece[] = [];
  const out: [Piece, Piece, Interval][] = [];
  for (const p of sorted) {
    open = open.filter((o) => stillOpenAt(o, p.period!.start));
    for (const o of open) {
      if (o.record === p.record) continue;
      const overlap = intersect(o.period!, p.period!);
      if (overlap) out.push([o, p, overlap]);
    }
    open.push(p);
  }
  return out;
}

/** Pairs found in several pieces (a member who left and came back) merge into one finding. */
function mergePairs(pairs: [Piece, Piece, Interval][], today: IsoDate): { a: AidRecord; b: AidRecord; overlap: Interval; days: number }[] {
  const merged = new Map<string, { a: AidRecord; b: AidRecord; overlap: Interval; days: number }>();
  for (const [pa, pb, overlap] of pairs) {
    const ka = recordKey(pa.record);
    const kb = recordKey(pb.record);
    const key = ka < kb ? `${ka}|${kb}` : `${kb}|${ka}`;
    const m = merged.get(key);
    if (!m) {
      merged.set(key, { a: pa.record, b: pb.record, overlap, days: overlapDays(overlap, today) });
      continue;
    }
    m.overlap = {
      start: overlap.start < m.overlap.start ? overlap.start : m.overlap.start,
      end: overlap.end === null || m.overlap.end === null ? null : overlap.end > m.overlap.end ? overlap.end : m.overlap.end,
    };
    m.days += overlapDays(overlap, today);
  }
  return [...merged.values()];
}

/**
 * One OVERLAP finding per pair of records (pieces of one record merged): a household-scoped rule
 * keys it by its household too, a person-scoped one by its records alone.
 */
function overlapFindings(rule: RuleOf<'EXCLUSIVE_PROGRAMMES'> | RuleOf<'DUPLICATE_ENROLMENT'>, ctx: HouseholdContext, subject: string, pairs: [Piece, Piece, Interval][]): Finding[] {
  return mergePairs(pairs, ctx.today).map(({ a, b, overlap, days }) =>
    build(rule, ctx, {
      scope: rule.scope,
      idNumbers: [a.beneficiaryIdNumber, b.beneficiaryIdNumber],
      records: [a, b],
      measure: { type: 'OVERLAP', overlap, days },
      ongoing: overlap.end === null || overlap.end >= ctx.today,
      keys: rule.scope === 'HOUSEHOLD' ? [subject] : [],
    }),
  );
}

function inGroup(codes: readonly ProgrammeCode[]): (p: Piece) => boolean {
  const set = new Set<string>(codes);
  return (p) => set.has(p.record.programme);
}

export function exclusiveProgrammes(rule: RuleOf<'EXCLUSIVE_PROGRAMMES'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  for (const { subject, pieces } of ctx.subjects(rule.scope)) {
    const pairs = crossOverlaps(pieces.filter(inGroup(rule.first)), pieces.filter(inGroup(rule.second)));
    out.push(...overlapFindings(rule, ctx, subject, pairs));
  }
  return out;
}

export function duplicateEnrolment(rule: RuleOf<'DUPLICATE_ENROLMENT'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  const household = rule.scope === 'HOUSEHOLD';
  for (const { subject, pieces } of ctx.subjects(rule.scope)) {
    for (const group of groupBy(pieces.filter(inGroup(rule.programmes)), (p) => p.record.programme).values()) {
      if (group.length < 2) continue;
      const pairs = selfOverlaps(group).filter(([a, b]) => !household || a.record.beneficiaryIdNumber !== b.record.beneficiaryIdNumber);
      out.push(...overlapFindings(rule, ctx, subject, pairs));
    }
  }
  return out;
}

export function aidAfterDeath(rule: RuleOf<'AID_AFTER_DEATH'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  const wanted = new Set<string>(rule.programmes);
  for (const id of [...ctx.facts.homeMembers].sort()) {
    const deathDate = ctx.facts.people.get(id)?.deathDate ?? null;
    if (deathDate === null) continue;
    // Paid for the month of death; from the month after (plus any grace) it should have stopped.
    const firstUnentitled = firstDayUnentitledAfterDeath(deathDate, rule.graceMonths);
    for (const r of ctx.byPerson.get(id) ?? []) {
      if (!wanted.has(r.programme) || r.periodStart === null) continue;
      // Stopped by the source with no end date: only its start day is known (attribution.ts, knownEnd).
      const end = knownEnd(r);
      // The month of death is owed only to aid running when the person died: one that begins after
      // the death (an enrolment of someone already dead) is owed nothing, from its first day. A grant
      // proposed from the day after a death to the end of that month answered clear.
      const start = r.periodStart > deathDate ? r.periodStart : firstUnentitled;
      const proposed = r.sourceRef === PROPOSED_SOURCE_REF;
      // Counted up to today: aid on record whose first month after the death has not come yet has
      // paid none of it (a death this month: the office stops it from next month, 自死亡次月起停发).
      // It read as one month paid after the death, a CONFLICT raised the day the death was registered.
      if (!proposed && start > ctx.today) continue;
      // A grant proposed for the future still counts, up to its start: it asks to pay after the death.
      const horizon = ctx.today > start ? ctx.today : start;
      // A proposal with an end asks to pay every month up to it: its figures cover the proposed
      // period after the death, from the month after it (or the proposal's own start, if later) to
      // its end, not up to today (a proposed five-year grant read as the 10 months to today). One
      // with no end is counted as aid on record is, up to today (its first month, if it starts
      // later): how long it would run is not proposed.
      const last = proposed && end !== null ? end : end !== null && end < horizon ? end : horizon;
      if (last < start) continue;
      const months = monthIndex(last) - monthIndex(start) + 1;
      const ongoing = end === null || end >= ctx.today;
      // An end not reached yet (a recurring grant reported with the end it was granted for) is not
      // where the paying stopped: while it is still paid the unpaid span stays open, as its months
      // are counted up to today. A proposed grant keeps the end it is proposed for: nothing is paid.
      const unpaidEnd = ongoing && !proposed ? null : end;
      out.push(
        build(rule, ctx, {
          scope: 'PERSON',
          idNumbers: [id],
          records: [r],
          measure: { type: 'AFTER_DEATH', deathDate, unpaid: { start, end: unpaidEnd }, months, excessFen: months * r.amountFen },
          ongoing,
          content: [`death:${deathDate}`],
        }),
      );
    }
  }
  return out;
}

/**
 * Stage-bound aid paid to a student of another stage (X13: 国家助学金 to a primary pupil, 寄宿生生活费补助
 * to a 高中 student). The stage is the one on the aid's own day (its grant date; for a record with a
 * period, its start; moved into the school year it is for when paid outside it: schoolYearDayOf), as
 * the pre-grant check judges a proposal (resolvers/findings/live.ts schoolStageOf): the entry in school that day enrolled last (stageOnTheDay), so a pupil paid the
 * boarding subsidy in 初中 and in 高中 since is not flagged. Only WRONG_STAGE is a finding: no entry
 * in school that day (NOT_ON_ROLL) or a stage that cannot be told (STAGE_UNKNOWN) says nothing of
 * the aid, only of the roll: the rule cannot tell which is wrong, as M3 proposes all aid then.
 */
export function wrongSchoolStage(rule: RuleOf<'WRONG_SCHOOL_STAGE'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  const wanted = new Set<string>(rule.programmes);
  for (const id of [...ctx.facts.homeMembers].sort()) {
    const roll = ctx.facts.students.filter((s) => s.idNumber === id);
    if (roll.length === 0) continue;
    for (const r of ctx.byPerson.get(id) ?? []) {
      const day = schoolYearDayOf(r);
      if (!wanted.has(r.programme) || day === null) continue;
      const entries = rollOn(roll, day);
      if (schoolStageFit(r.programme, entries) !== 'WRONG_STAGE') continue;
      const stage = stageOnTheDay(entries) as SchoolStage;
      out.push(
        build(rule, ctx, {
          scope: 'PERSON',
          idNumbers: [id],
          records: [r],
          measure: { type: 'WRONG_STAGE', judgedOn: day, stage, programmeStages: [...stagesOf(r.programme)!] },
          ongoing: false,
          // The stage found is part of what was judged: a corrected roll entry of another wrong stage reopens a dismissal.
          content: [`stage:${stage}`],
        }),
      );
    }
  }
  return out;
}

function yearOf(r: AidRecord, per: 'SCHOOL_YEAR' | 'CALENDAR_YEAR'): string | null {
  if (per === 'SCHOOL_YEAR') return r.schoolYear ?? (r.grantDate ? schoolYearOf(r.grantDate) : null);
  return r.grantDate ? r.grantDate.slice(0, 4) : null;
}

export function samePurposeTwice(rule: RuleOf<'SAME_PURPOSE_TWICE'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  const first = new Set<string>(rule.first);
  const second = new Set<string>(rule.second);
  for (const { subject, pieces } of ctx.subjects(rule.scope)) {
    const byYear = new Map<string, { a: AidRecord[]; b: AidRecord[] }>();
    for (const { record } of pieces) {
      const inA = first.has(record.programme);
      const inB = second.has(record.programme);
      if (!inA && !inB) continue;
      const year = yearOf(record, rule.per);
      if (year === null) continue;
      const slot = byYear.get(year) ?? { a: [], b: [] };
      // A programme in both groups (X12: 金秋助学 twice) is paired with another grant of itself.
      if (inA) slot.a.push(record);
      if (inB) slot.b.push(record);
      byYear.set(year, slot);
    }
    for (const [year, { a, b }] of [...byYear].sort()) {
      const records = [...new Set([...a, ...b])];
      // One grant in both groups alone is no pair: two grants are, one from each group.
      if (a.length === 0 || b.length === 0 || records.length < 2) continue;
      out.push(
        build(rule, ctx, {
          scope: rule.scope,
          idNumbers: records.map((r) => r.beneficiaryIdNumber),
          records,
          measure: { type: 'SAME_PERIOD', period: year },
          ongoing: false,
          keys: [`year:${year}`, ...(rule.scope === 'HOUSEHOLD' ? [subject] : [])],
        }),
      );
    }
  }
  return out;
}

/**
 * Approved as a second aid: flagged by the source and not approved by a township (二次临时救助 is the
 * city's or the county's: seed 000 三(四)1, 市、县可给予二次临时救助), or approved at the hub by a
 * meeting the county convened (issue 5's cases).
 */
function approvedAsSecondAid(r: AidRecord, ctx: HouseholdContext, windowMonths: number): boolean {
  if (r.secondAid && r.approvalLevel !== 'TOWNSHIP') return true;
  const key = recordKey(r);
  return ctx.facts.secondAidApprovals.some(
    (a) =>
      a.aidRecordKey === key ||
      // An approval not yet tied to a payment covers a payment to that person, for that cause, after it.
      (a.aidRecordKey === null &&
        a.idNumber === r.beneficiaryIdNumber &&
        (r.cause ?? null) === a.cause &&
        r.grantDate !== null &&
        withinMonthsAfter(a.approvedOn, r.grantDate, windowMonths)),
  );
}

/**
 * The grants a rule that compares causes cannot compare with `record`: of its subject and the rule's
 * programmes, within the rule's window before or after it, whose cause code their department does
 * not document (UNRECOGNISED). The rule groups each with no other, so it says nothing of them either
 * way; a pre-grant check names them instead of answering clear.
 */
export function causeUnrecognisedBeside(rule: RuleOf<'REPEATED_GRANTS'>, ctx: HouseholdContext, record: AidRecord): AidRecord[] {
  const at = record.grantDate;
  if (!rule.sameCause || at === null) return [];
  const wanted = new Set<string>(rule.programmes);
  const out: AidRecord[] = [];
  for (const { pieces } of ctx.subjects(rule.scope)) {
    const records = pieces.map((p) => p.record);
    if (!records.includes(record)) continue;
    for (const r of records) {
      if (r.cause === 'UNRECOGNISED' && wanted.has(r.programme) && r.grantDate !== null && (withinMonthsAfter(r.grantDate, at, rule.windowMonths) || withinMonthsAfter(at, r.grantDate, rule.windowMonths))) out.push(r);
    }
  }
  return out;
}

export function repeatedGrants(rule: RuleOf<'REPEATED_GRANTS'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  const wanted = new Set<string>(rule.programmes);
  for (const { subject, pieces } of ctx.subjects(rule.scope)) {
    // A grant whose cause code its department does not document (UNRECOGNISED) is of no known cause:
    // grouped with no other, it neither makes nor completes a repetition of the same cause (it read as
    // OTHER, and two grants under two different undocumented codes made one). Counted where cause does not matter.
    const granted = pieces.map((p) => p.record).filter((r) => wanted.has(r.programme) && r.grantDate !== null && !(rule.sameCause && r.cause === 'UNRECOGNISED'));
    const groups = groupBy(granted, (r) => (rule.sameCause ? (r.cause ?? 'OTHER') : '*'));
    for (const [cause, grants] of groups) {
      if (grants.length <= rule.maxGrants) continue;
      grants.sort((x, y) => (x.grantDate! < y.grantDate! ? -1 : x.grantDate! > y.grantDate! ? 1 : recordKey(x) < recordKey(y) ? -1 : 1));
      // Two pointers: grants[lo..j-1] are the earlier grants within the window before grants[j].
      let lo = 0;
      for (let j = 0; j < grants.length; j++) {
        while (!withinMonthsAfter(grants[lo].grantDate!, grants[j].grantDate!, rule.windowMonths)) lo++;
        if (j - lo + 1 <= rule.maxGrants) continue;
        if (rule.secondAidExempt && approvedAsSecondAid(grants[j], ctx, rule.windowMonths)) continue;
        const records = grants.slice(lo, j + 1);
        out.push(
          build(rule, ctx, {
            scope: rule.scope,
            idNumbers: records.map((r) => r.beneficiaryIdNumber),
            records,
            measure: { type: 'REPEATED', cause: rule.sameCause ? (cause as AidCause) : null, count: records.length, windowMonths: rule.windowMonths },
            ongoing: false,
            keys: rule.scope === 'HOUSEHOLD' ? [subject] : [],
          }),
        );
      }
    }
  }
  return out;
}

/**
 * Whose household a settlement's findings belong to: the patient's home; when the patient is not
 * among these facts, the home of the aid's beneficiaries.
 */
function ownsSettlement(ctx: HouseholdContext, s: HospitalSettlement, records: readonly AidRecord[]): boolean {
  if (ctx.anyOwner) return true;
  const owners = ctx.facts.settlementOwners;
  if (owners?.has(s.settlementRef)) {
    const owner = owners.get(s.settlementRef)!;
    if (owner !== null || ctx.facts.householdId !== null) return owner === ctx.facts.householdId;
    // Nobody has a household: the facts of the patient (or a beneficiary) alone report it.
  }
  if (ctx.facts.homeMembers.has(s.idNumber)) return true;
  if (ctx.facts.people.has(s.idNumber)) return false;
  return records.some((r) => ctx.facts.homeMembers.has(r.beneficiaryIdNumber));
}

/** One stay as a SETTLEMENT_EXCESS rule weighs it: its burden and the aid tied to it. */
export interface StaySum {
  settlementRef: string;
  settlement: HospitalSettlement;
  records: AidRecord[];
  /** psn_pay is what is left after every fund, medical aid included; the burden before any aid adds back what medical aid paid inside the settlement. */
  burdenFen: number;
  aidFen: number;
}

/**
 * The stays these facts weigh under `rule`, each with everything paid for it, whoever received it
 * (these people's aid and others' tied to it). A settlement reversed or unknown to medical insurance
 * has no burden to compare with, and one another household owns is its to report: neither is here.
 * settlementExcess judges them; a meeting's check adds its other decisions on the same stay to them.
 */
export function staySums(rule: RuleOf<'SETTLEMENT_EXCESS'>, ctx: HouseholdContext): StaySum[] {
  const byRule = (ctx.staysByRule ??= new Map());
  let sums = byRule.get(rule);
  if (!sums) byRule.set(rule, (sums = weighStays(rule, ctx)));
  return sums;
}

function weighStays(rule: RuleOf<'SETTLEMENT_EXCESS'>, ctx: HouseholdContext): StaySum[] {
  const wanted = new Set<string>(rule.programmes);
  const bySettlement = new Map<string, AidRecord[]>();
  const seen = new Set<string>();
  for (const r of [...[...ctx.byPerson.values()].flat(), ...(ctx.facts.settlementAid ?? []).filter(isLive)]) {
    if (!wanted.has(r.programme) || !r.settlementRef) continue;
    const key = recordKey(r);
    if (r.sourceRef !== PROPOSED_SOURCE_REF && seen.has(key)) continue;
    seen.add(key);
    const group = bySettlement.get(r.settlementRef);
    if (group) group.push(r);
    else bySettlement.set(r.settlementRef, [r]);
  }
  const out: StaySum[] = [];
  for (const [ref, records] of [...bySettlement].sort()) {
    const s = ctx.facts.settlements.get(ref);
    if (!s || !ownsSettlement(ctx, s, records)) continue;
    out.push({ settlementRef: ref, settlement: s, records, burdenFen: s.outOfPocketFen + s.medicalAidPaidFen, aidFen: records.reduce((n, r) => n + r.amountFen, 0) });
  }
  return out;
}

export function settlementExcess(rule: RuleOf<'SETTLEMENT_EXCESS'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  for (const { settlementRef: ref, settlement: s, records, burdenFen, aidFen } of staySums(rule, ctx)) {
    const excessFen = aidFen - burdenFen;
    if (excessFen <= rule.toleranceFen) continue;
    out.push(
      build(rule, ctx, {
        scope: 'SETTLEMENT',
        idNumbers: [s.idNumber, ...records.map((r) => r.beneficiaryIdNumber)],
        records,
        measure: { type: 'SETTLEMENT_EXCESS', settlementRef: ref, settledOn: s.settledOn, burdenFen, aidFen, excessFen },
        ongoing: false,
        keys: [`settlement:${ref}`],
        householdId: ctx.facts.settlementOwners?.get(ref) ?? ctx.facts.householdId,
        content: [`settlement:${ref}:${s.totalCostFen}:${s.basicInsurancePaidFen}:${s.criticalIllnessInsurancePaidFen}:${s.medicalAidPaidFen}:${s.outOfPocketFen}`],
        departments: [...records.map((r) => r.department), 'HEALTH'],
      }),
    );
  }
  return out;
}

function birthDateOf(ctx: HouseholdContext, id: string): IsoDate {
  return ctx.facts.people.get(id)?.birthDate ?? birthDateInIdNumber(id);
}

interface Met {
  met: MetCondition;
  keys: string[];
  content: string[];
  records: AidRecord[];
  people: string[];
}

function holds(fact: 'HOUSEHOLD_HOLDS' | 'HOLDS', codes: readonly ProgrammeCode[], holders: readonly string[], ctx: HouseholdContext): Met | null {
  // Loops over the holders' records: most hold none of `codes`, and then nothing is made.
  const wanted: readonly string[] = codes;
  let programmes: string[] | null = null;
  for (const id of holders) {
    const theirs = ctx.byPerson.get(id);
    if (theirs === undefined) continue;
    for (const r of theirs) if (wanted.includes(r.programme) && heldOn(r, ctx.today) && !programmes?.includes(r.programme)) (programmes ??= []).push(r.programme);
  }
  if (programmes === null) return null;
  programmes.sort();
  return { met: { fact, programmes: programmes as ProgrammeCode[] }, keys: [], content: [], records: [], people: [] };
}

/** Whether one condition holds for the subject (the people `ids`, a few: looked up in the list, with no set made per condition and subject), and with what. */
function meetCondition(c: Condition, ids: readonly string[], pieces: () => Piece[], ctx: HouseholdContext): Met | null {
  const { today, facts } = ctx;
  switch (c.fact) {
    case 'DISABILITY_CERTIFICATE': {
      // The subject's held certificate of the lowest level, then number (the first of equals): one loop, no arrays.
      let cert: HeldCertificate | undefined;
      for (const x of facts.certificates) {
        // Held: valid, at a documented level. One whose level code is undocumented is no certificate to any rule, of any level: it neither makes a finding nor stands for the absence of one (the brief says so).
        if (!certificateHeld(x) || !ids.includes(x.idNumber) || (x.validUntil !== null && x.validUntil < today) || (c.levels && !c.levels.includes(x.level))) continue;
        if (cert === undefined || x.level < cert.level || (x.level === cert.level && x.certificateNumber < cert.certificateNumber)) cert = x;
      }
      if (!cert) return null;
      return {
        met: { fact: 'DISABILITY_CERTIFICATE', certificateNumber: cert.certificateNumber, category: cert.category, ...(cert.sourceCategoryCode ? { sourceCategoryCode: cert.sourceCategoryCode } : {}), level: cert.level },
        keys: [`cert:${cert.certificateNumber}`],
        // The category's code where it is undocumented, so the content (and stored findings' fingerprints) read as they did when the code was passed through.
        content: [`cert:${cert.certificateNumber}:${cert.category ?? cert.sourceCategoryCode}:${cert.level}:${cert.validUntil ?? ''}`],
        records: [],
        people: [cert.idNumber],
      };
    }
    case 'HOUSEHOLD_HOLDS':
    case 'HOLDS': {
      if (c.fact === 'HOUSEHOLD_HOLDS' && facts.householdId !== null) {
        const known = (ctx.householdConditions ??= new Map());
        if (!known.has(c)) known.set(c, holds(c.fact, c.programmes, [...ctx.currentMembers], ctx));
        return known.get(c)!;
      }
      return holds(c.fact, c.programmes, ids, ctx);
    }
    case 'STUDENT': {
      // A student of the school year today falls in, judged on today, a day of that year, by the
      // entries on the roll that day (onRollOn, as X13 and the pre-grant check judge a day): in July
      // and August a 高中 entry beginning on 1 September is not yet his. Read as in school whatever
      // its start (inSchoolOn), it made him a 高中 student of the year he spent in 初中.
      const schoolYear = schoolYearOf(today);
      const student = ids.find((id) => {
        if (!facts.students.some((s) => s.idNumber === id && onRollOn(s, today))) return false;
        const age = ageOn(birthDateOf(ctx, id), today);
        return age >= c.minAge && age <= c.maxAge;
      });
      if (!student) return null;
      return {
        met: { fact: 'STUDENT', age: ageOn(birthDateOf(ctx, student), today), schoolYear },
        keys: [`schoolYear:${schoolYear}`],
        content: [],
        records: [],
        people: [student],
      };
    }
    case 'OUT_OF_POCKET': {
      const { from, to } = trailingWindow(today, c.windowMonths);
      const stays: HospitalSettlement[] = [];
      for (const s of facts.settlements.values()) if (ids.includes(s.idNumber) && s.settledOn >= from && s.settledOn <= to) stays.push(s);
      const totalFen = stays.reduce((n, s) => n + s.outOfPocketFen, 0);
      const threshold = thresholdOf(c);
      if (!passes(totalFen, threshold)) return null;
      const refs = stays.map((s) => s.settlementRef).sort();
      return {
        met: { fact: 'OUT_OF_POCKET', totalFen, ...threshold, from, to, settlementRefs: refs },
        keys: refs.map((r) => `settlement:${r}`),
        content: stays.map((s) => `settlement:${s.settlementRef}:${s.outOfPocketFen}:${s.settledOn}`),
        records: [],
        people: [...new Set(stays.map((s) => s.idNumber))],
      };
    }
    case 'GRANTS': {
      const { from, to } = trailingWindow(today, c.windowMonths);
      const wanted = new Set<string>(c.programmes);
      const grants = pieces()
        .map((p) => p.record)
        .filter((r) => wanted.has(r.programme) && r.grantDate !== null && r.grantDate >= from && r.grantDate <= to);
      if (grants.length < c.minCount) return null;
      return {
        met: { fact: 'GRANTS', programmes: [...c.programmes], count: grants.length, from, to },
        keys: [],
        content: [],
        records: grants,
        people: grants.map((r) => r.beneficiaryIdNumber),
      };
    }
  }
}

function expectedHeld(within: ExpectedWithin, programmes: readonly ProgrammeCode[], records: readonly AidRecord[], today: IsoDate): boolean {
  const wanted = new Set<string>(programmes);
  let window: Interval;
  switch (within.type) {
    case 'ACTIVE_TODAY':
      return records.some((r) => wanted.has(r.programme) && heldOn(r, today));
    case 'SCHOOL_YEAR': {
      const year = schoolYearOf(today);
      const bounds = schoolYearBounds(year);
      window = { start: bounds.from, end: bounds.to };
      return records.some((r) => {
        if (!wanted.has(r.programme)) return false;
        if (r.periodStart !== null) return intersect(periodOf(r)!, window) !== null;
        return (r.schoolYear ?? (r.grantDate ? schoolYearOf(r.grantDate) : null)) === year;
      });
    }
    case 'MONTHS': {
      const { from, to } = trailingWindow(today, within.months);
      window = { start: from, end: to };
      return records.some((r) => {
        if (!wanted.has(r.programme)) return false;
        if (r.periodStart !== null) return intersect(periodOf(r)!, window) !== null;
        return r.grantDate !== null && r.grantDate >= from && r.grantDate <= to;
      });
    }
  }
}

/**
 * The expected programmes a finding proposes: where a STUDENT condition was met, those that fit each
 * student's school stage today (domain/school-stages.ts), by the entries on the roll today, as the
 * STUDENT condition reads them; otherwise all of them.
 */
function expectedForStudents(programmes: readonly ProgrammeCode[], met: readonly Met[], ctx: HouseholdContext): ProgrammeCode[] {
  const students = met.filter((m) => m.met.fact === 'STUDENT').flatMap((m) => m.people);
  if (students.length === 0) return [...programmes];
  const entriesOf = (id: string) => rollOn(ctx.facts.students.filter((s) => s.idNumber === id), ctx.today);
  return programmesForStudent(programmes, [...new Set(students)].map(entriesOf));
}

// A subject's pieces, made when a condition first needs them. Returned unnamed: tsx's keepNames
// names a closure written as `pieces: () => …` each time it is made, once per household and
// missed-aid rule in a scan (test/keep-names.test.ts).
function personPiecesOf(ctx: HouseholdContext, id: string): () => Piece[] {
  return () => ctx.personPieces(id);
}
function householdPiecesOf(ctx: HouseholdContext): () => Piece[] {
  return () => ctx.householdPieces();
}
function piecesGiven(pieces: Piece[]): () => Piece[] {
  return () => pieces;
}

/**
 * These ID numbers (those alive today, with `alive`) in the order `sort()` gives them, by insertion:
 * a household's few members, sorted once per household, where `sort()` made a work array per call.
 */
function sortedIds(ids: ReadonlySet<string>, alive?: HouseholdContext): string[] {
  const out: string[] = [];
  for (const id of ids) {
    if (alive && !alive.isAlive(id)) continue;
    let i = out.length;
    out.push(id);
    for (; i > 0 && out[i - 1] > id; i--) out[i] = out[i - 1];
    out[i] = id;
  }
  return out;
}

/** Whom a missed-aid rule of one scope judges in a household: living subjects, each with their pieces when first needed. */
type Subjects = { subject: string; ids: string[]; pieces: () => Piece[] }[];

/** The subjects of `scope` in this household, made once for every missed-aid rule of that scope (the default set has four of PERSON scope). */
function missedAidSubjects(scope: RuleScope, ctx: HouseholdContext): Subjects {
  if (scope === 'PERSON') return (ctx.personSubjects ??= subjectsOf(scope, ctx));
  return (ctx.householdSubjects ??= subjectsOf(scope, ctx));
}

function subjectsOf(scope: RuleScope, ctx: HouseholdContext): Subjects {
  const subjects: Subjects = [];
  if (scope === 'PERSON') {
    for (const id of sortedIds(ctx.facts.homeMembers)) {
      if (ctx.isAlive(id)) subjects.push({ subject: `P:${id}`, ids: [id], pieces: personPiecesOf(ctx, id) });
    }
  } else if (ctx.facts.householdId !== null) {
    const living = sortedIds(ctx.currentMembers, ctx);
    if (living.length > 0) subjects.push({ subject: `H:${ctx.facts.householdId}`, ids: living, pieces: householdPiecesOf(ctx) });
  } else {
    // In no household: each person is a household of one (HouseholdContext.subjects).
    for (const { subject, ids, pieces } of ctx.subjects('HOUSEHOLD')) if (ctx.isAlive(ids[0])) subjects.push({ subject, ids, pieces: piecesGiven(pieces) });
  }
  return subjects;
}

export function missedAid(rule: RuleOf<'MISSED_AID'>, ctx: HouseholdContext): Finding[] {
  const out: Finding[] = [];
  for (const { subject, ids, pieces } of missedAidSubjects(rule.scope, ctx)) {
    const met: Met[] = [];
    for (const c of rule.when) {
      const m = meetCondition(c, ids, pieces, ctx);
      if (!m) break;
      met.push(m);
    }
    if (met.length < rule.when.length) continue;
    // Not owed where another aid replaces it (M2: 孤儿 or 特困 support, X3): asking for it would ask for a conflict.
    if (rule.unless?.some((c) => meetCondition(c, ids, pieces, ctx) !== null)) continue;
    const theirs = ids.flatMap((id) => ctx.byPerson.get(id) ?? []);
    if (expectedHeld(rule.expected.within, rule.expected.programmes, theirs, ctx.today)) continue;
    // A student is proposed only aid of their school stage (M3 named 国家助学金 to a primary pupil):
    // any aid received counts as held above, but what is asked for must fit.
    const expected = expectedForStudents(rule.expected.programmes, met, ctx);
    if (expected.length === 0) continue;
    const records = met.flatMap((m) => m.records);
    const people = met.flatMap((m) => m.people);
    out.push(
      build(rule, ctx, {
        scope: rule.scope,
        idNumbers: rule.scope === 'PERSON' ? ids : people.length > 0 ? people : ids,
        records,
        measure: { type: 'MISSED', expected, met: met.map((m) => m.met) },
        ongoing: true,
        keys: [subject, ...met.flatMap((m) => m.keys)],
        content: met.flatMap((m) => m.content),
        departments: expected.map((p) => PROGRAMME_BY_CODE.get(p)!.department),
      }),
    );
  }
  return out;
}

/**
 * Whether a rule can find anything in this household at all, from what is present: a cheap test
 * that lets the scan pass over the many households holding none of a rule's programmes.
 */
export function mayApply(rule: Rule, ctx: HouseholdContext): boolean {
  const present = ctx.programmes;
  switch (rule.kind) {
    case 'EXCLUSIVE_PROGRAMMES':
    case 'SAME_PURPOSE_TWICE':
      return anyIn(present, rule.first) && anyIn(present, rule.second);
    case 'SETTLEMENT_EXCESS':
      return ctx.facts.settlements.size > 0 && (anyIn(present, rule.programmes) || tiedAidIn(ctx.facts.settlementAid, rule.programmes));
    case 'REPEATED_GRANTS':
    case 'AID_AFTER_DEATH':
    case 'DUPLICATE_ENROLMENT':
      return anyIn(present, rule.programmes);
    case 'WRONG_SCHOOL_STAGE':
      return ctx.facts.students.length > 0 && anyIn(present, rule.programmes);
    case 'MISSED_AID':
      for (const c of rule.when) {
        if (c.fact === 'DISABILITY_CERTIFICATE' ? ctx.facts.certificates.length === 0 : c.fact === 'STUDENT' ? ctx.facts.students.length === 0 : c.fact === 'OUT_OF_POCKET' ? ctx.facts.settlements.size === 0 : !anyIn(present, c.programmes)) return false;
      }
      return true;
  }
}

/** Whether any of the aid tied to the household's stays is of one of `codes` (a loop: `mayApply` runs per household and rule). */
function tiedAidIn(tied: readonly AidRecord[] | undefined, codes: readonly string[]): boolean {
  if (tied) for (const r of tied) if (codes.includes(r.programme)) return true;
  return false;
}

function anyIn(present: ReadonlySet<string>, codes: readonly string[]): boolean {
  for (const c of codes) if (present.has(c)) return true;
  return false;
}

/** No findings: one shared array for the many rules a household holds nothing of (no array made and dropped for each). */
const NO_FINDINGS: readonly Finding[] = Object.freeze([]);

export function evaluateRule(rule: Rule, ctx: HouseholdContext): readonly Finding[] {
  if (!mayApply(rule, ctx)) return NO_FINDINGS;
  switch (rule.kind) {
    case 'EXCLUSIVE_PROGRAMMES':
      return exclusiveProgrammes(rule, ctx);
    case 'SAME_PURPOSE_TWICE':
      return samePurposeTwice(rule, ctx);
    case 'REPEATED_GRANTS':
      return repeatedGrants(rule, ctx);
    case 'SETTLEMENT_EXCESS':
      return settlementExcess(rule, ctx);
    case 'AID_AFTER_DEATH':
      return aidAfterDeath(rule, ctx);
    case 'DUPLICATE_ENROLMENT':
      return duplicateEnrolment(rule, ctx);
    case 'WRONG_SCHOOL_STAGE':
      return wrongSchoolStage(rule, ctx);
    case 'MISSED_AID':
      return missedAid(rule, ctx);
  }
}
