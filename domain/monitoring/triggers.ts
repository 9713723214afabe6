/**
 * Monitoring triggers (预警要素) as data: what condition raises an alert, for whom, how graded, who
 * must verify it and within what time. The reviewed defaults are rules/triggers.json; a locality's
 * override (AIDHUB_TRIGGERS_FILE) switches triggers off, changes thresholds, grades and limits, or
 * adds triggers. Checked at start-up: the first problem stops the hub with a message naming the
 * trigger and the field (TriggerSetError), as the rule set does.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import type { OfficeCode } from '../departments';
import { RECEIVING_DEPARTMENTS } from '../cases/offices';
import { DEFAULT_LAST_DAY_OFF, LAST_DAY_OFF_RULES, type LastDayOff } from '../cases/working-days';
import { DEFAULT_TOWNSHIP_APPROVAL, type TownshipApprovalRule } from '../cases/county-approval';
import { PROGRAMME_BY_CODE } from '../programmes';
import { DEFAULT_NOTICE_RULES, HEAD_NAME_STYLES, NOTICE_MIN_DAYS, type NoticeRules } from './notice';

export const GRADES = ['RED', 'ORANGE', 'YELLOW'] as const;
export type Grade = (typeof GRADES)[number];
/** Higher is more severe. */
export const GRADE_RANK: Record<Grade, number> = { YELLOW: 1, ORANGE: 2, RED: 3 };

export const TRIGGER_KINDS = ['SETTLEMENT_OUT_OF_POCKET', 'OUT_OF_POCKET_12_MONTHS', 'DEATH_ON_ROLL', 'JOB_LOSS', 'SEVERE_DISABILITY', 'RULE'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

const fen = z.number().int().nonnegative();
const grade = z.enum(GRADES);
/** A grade for everyone, or one for people on the monitored roll and one for others. */
const gradeFor = z.union([grade, z.strictObject({ monitored: grade, others: grade })]);
/** An amount band: "over" is strictly greater than. */
const band = z.strictObject({ grade, monitoredOverFen: fen, othersOverFen: fen });
const limit = z.strictObject({
  /** 签收: working days after the alert is raised. */
  acknowledgeWorkingDays: z.number().int().min(1).max(60),
  /** 核实: days from the first clue, counted as calendar days or as working days (exactly one). */
  verifyDays: z.number().int().min(1).max(365).optional(),
  verifyWorkingDays: z.number().int().min(1).max(250).optional(),
  /**
   * 决定: days from the first clue to the decision (a dismissal, a verification as needing no aid,
   * or the decision of the case a NEEDS_AID verification opened, which waits for the village
   * notice), as calendar days or as working days (at most one; neither: DEFAULT_DECIDE_DAYS).
   */
  decideDays: z.number().int().min(1).max(365).optional(),
  decideWorkingDays: z.number().int().min(1).max(250).optional(),
});
const limits = z.strictObject({ RED: limit.optional(), ORANGE: limit.optional(), YELLOW: limit.optional() });
/**
 * Who verifies: the household's township, or an office that answers slips (RECEIVING_DEPARTMENTS: a
 * federated department or a government body that reports its aid, such as 应急 for 受灾人员过渡期生活救助).
 * Not REPORTED, the hub's own ledger, which is no office, nor CHARITY, many organisations and none a verifier.
 */
const verifier = z.union([z.literal('TOWNSHIP'), z.strictObject({ department: z.enum(RECEIVING_DEPARTMENTS as unknown as [OfficeCode, ...OfficeCode[]]) })]);

const common = {
  id: z.string().regex(/^[A-Z][A-Z0-9_]{0,31}$/, 'an id of capitals, digits and _ (at most 32)'),
  enabled: z.boolean().default(true),
  name: z.string().min(1).max(100),
  basis: z.string().min(1).max(500),
  verifier: verifier.default('TOWNSHIP'),
  limits: limits.optional(),
};

const bands = z.array(band).min(1).max(3);
export const triggerSchema = z.discriminatedUnion('kind', [
  /** One hospital settlement's out-of-pocket amount. */
  z.strictObject({ ...common, kind: z.literal('SETTLEMENT_OUT_OF_POCKET'), bands, withinDays: z.number().int().min(1).max(3660) }),
  /** Out-of-pocket over the last `windowMonths` months, summed over standing settlements. */
  z.strictObject({ ...common, kind: z.literal('OUT_OF_POCKET_12_MONTHS'), bands, windowMonths: z.number().int().min(1).max(60) }),
  /**
   * A dead person still on a recurring programme's roll: aid running into the month after the month
   * of death, plus `graceMonths` where a locality allows them (left out: the grace of the rule set's
   * AID_AFTER_DEATH rule, X8, so that both judge the same aid alike; 0 without one).
   */
  z.strictObject({ ...common, kind: z.literal('DEATH_ON_ROLL'), grade: gradeFor, graceMonths: z.number().int().min(0).max(12).optional() }),
  /** A job lost within `withinDays` (any department providing the job-loss fact). */
  z.strictObject({ ...common, kind: z.literal('JOB_LOSS'), grade: gradeFor, withinDays: z.number().int().min(1).max(3660) }),
  /** A disability certificate of level ≤ maxLevel issued within `withinDays`. */
  z.strictObject({ ...common, kind: z.literal('SEVERE_DISABILITY'), grade: gradeFor, maxLevel: z.number().int().min(1).max(4), withinDays: z.number().int().min(1).max(3660) }),
  /**
   * A duplicate/missed-aid rule of the rule set whose condition is the warning (its logic reused).
   * `monitoredRollHolds`: a household with a current member on civil affairs' monitored roll
   * (低收入人口) meets the rule's household-holds conditions as if it held those programmes (T6: a
   * student of a 低保, 特困 *or monitored* household).
   */
  z.strictObject({ ...common, kind: z.literal('RULE'), rule: z.string().min(1).max(16), grade: gradeFor, monitoredRollHolds: z.boolean().default(false) }),
]);
type ParsedTrigger = z.infer<typeof triggerSchema>;
/** A trigger as the set holds it: a DEATH_ON_ROLL trigger's grace always given (buildTriggerSet). */
export type Trigger = Exclude<ParsedTrigger, { kind: 'DEATH_ON_ROLL' }> | (Extract<ParsedTrigger, { kind: 'DEATH_ON_ROLL' }> & { graceMonths: number });
export type Limit = z.infer<typeof limit>;
export type GradeFor = z.infer<typeof gradeFor>;

const defaultsSchema = z.strictObject({ RED: limit, ORANGE: limit, YELLOW: limit });
/** The village notice (村内公示) of an alert verified as needing aid (domain/monitoring/notice.ts). */
const noticeSchema = z.strictObject({
  /**
   * How long it runs, counted from the day after it is posted: calendar days or working days (exactly
   * one), at least NOTICE_MIN_DAYS either way (a shorter period was taken, and a decision let through
   * on the fourth day of a 3-day notice).
   */
  periodDays: z.number().int().min(NOTICE_MIN_DAYS, `a village notice runs at least ${NOTICE_MIN_DAYS} days (DOMAIN, 监测预警)`).max(60).optional(),
  periodWorkingDays: z.number().int().min(NOTICE_MIN_DAYS, `a village notice runs at least ${NOTICE_MIN_DAYS} working days: fewer can run under ${NOTICE_MIN_DAYS} days (DOMAIN, 监测预警)`).max(40).optional(),
  /** How the household head's name shows. */
  headName: z.enum(HEAD_NAME_STYLES).default('SURNAME_MOU'),
});
const programmeCodeSchema = z.string().refine((code) => PROGRAMME_BY_CODE.has(code), 'not a programme of the hub’s catalogue (domain/programmes.ts)');
const fileSchema = z.strictObject({
  name: z.string().max(200).optional(),
  /** The limits every trigger has unless it says otherwise. */
  limits: defaultsSchema.optional(),
  notice: noticeSchema.optional(),
  /**
   * A limit in calendar days (verifyDays, decideDays, the notice's periodDays) whose last day is a
   * day off: NEXT_WORKING_DAY (民法典 art. 203, the default) or KEEP (the day as counted). Working-day
   * limits are not concerned. The locality's file, when it gives it, replaces it.
   */
  lastDayOff: z.enum(LAST_DAY_OFF_RULES).optional(),
  /**
   * When a referral slip's office is reminded that it is due (resolvers/cases/referral-reminders.ts):
   * once it is due within this many working days (0: on its due date only). The locality's file,
   * when it gives it, replaces it.
   */
  referralReminder: z.strictObject({ dueWithinWorkingDays: z.number().int().min(0).max(20) }).optional(),
  /**
   * Which approvals the townships hold (domain/cases/county-approval.ts): the programmes whose
   * approval stays with the county, with the basis, and counties (6-digit codes) that differ. The
   * locality's file, when it gives it, replaces it whole.
   */
  townshipApproval: z
    .strictObject({
      notDelegated: z.array(programmeCodeSchema),
      basis: z.string().min(1).max(500),
      counties: z.record(z.string().regex(/^\d{6}$/, 'a county is a 6-digit division code'), z.strictObject({ notDelegated: z.array(programmeCodeSchema), basis: z.string().min(1).max(500) })).default({}),
    })
    .optional(),
  /** Required in the default set; a locality's file that only sets limits, the notice or lastDayOff leaves it out. */
  triggers: z.array(z.looseObject({ id: z.string() })).optional(),
});

export interface TriggerSet {
  name: string;
  triggers: readonly Trigger[];
  limits: Record<Grade, Limit>;
  /** The village notice's period and how it names the head (the locality's file replaces it whole). */
  notice: NoticeRules;
  /** What a calendar-day limit whose last day is a day off does (file field `lastDayOff`). */
  lastDayOff: LastDayOff;
  /** Referral slips' reminder (file field `referralReminder`): not an alert's, so outside the digest. */
  referralReminder: ReferralReminderRule;
  /** Which approvals the townships hold (file field `townshipApproval`): a case's, not an alert's, so outside the digest. */
  townshipApproval: TownshipApprovalRule;
  digest: string;
}

/** When a slip's office is reminded that it is due: within this many working days of its due date. */
export interface ReferralReminderRule {
  dueWithinWorkingDays: number;
}

/** One working day ahead: the day before the due date, or the due date itself (the brief of session 34). */
export const DEFAULT_REFERRAL_REMINDER: ReferralReminderRule = { dueWithinWorkingDays: 1 };

/** A limit as the hub counts it: the grade's (or trigger's) limit and the set's rule for a last day off. */
export type CountedLimit = Limit & { lastDayOff: LastDayOff };

export class TriggerSetError extends Error {
  override name = 'TriggerSetError';
  constructor(
    message: string,
    readonly triggerId: string | null,
    readonly field: string | null,
    /** Its stable code: the file could not be read, is no JSON, or is no valid set. */
    readonly code: 'FILE_UNREADABLE' | 'MALFORMED_JSON' | 'INVALID_TRIGGER_SET' = 'INVALID_TRIGGER_SET',
  ) {
    super(message);
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(the trigger)';
}

/**
 * The issue to name: for a value matching no branch of a union (a verifier), the branch's issue that
 * reached deepest into the value (`verifier.department`, not `verifier` and "Invalid input").
 */
function deepestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const firsts = issue.errors.map((branch) => branch[0]).filter((i) => i !== undefined);
  const best = firsts.reduce<z.core.$ZodIssue | null>((a, b) => (a === null || b.path.length > a.path.length ? b : a), null);
  if (!best || best.path.length === 0) return issue;
  return deepestIssue({ ...best, path: [...issue.path, ...best.path] });
}

function firstIssue(error: z.ZodError, source: string, triggerId: string | null): TriggerSetError {
  const issue = deepestIssue(error.issues[0]);
  let field = fieldPath(issue.path);
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    field = fieldPath([...issue.path, issue.keys[0]]);
    reason = 'not a field this kind of trigger has';
  }
  const where = triggerId === null ? `field ${field}` : `trigger ${triggerId}, field ${field}`;
  return new TriggerSetError(`invalid trigger set (${source}): ${where}: ${reason}`, triggerId, field);
}

type TriggerFile = z.infer<typeof fileSchema> & { triggers: Array<{ id: string } & Record<string, unknown>> };

/** A trigger file checked; `triggers` may be left out of a locality's file only (`{ "lastDayOff": "KEEP" }` alone was refused). */
function parseFile(raw: unknown, source: string, triggersRequired: boolean): TriggerFile {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error, source, null);
  if (triggersRequired && parsed.data.triggers === undefined) throw new TriggerSetError(`invalid trigger set (${source}): field triggers: required in the default set`, null, 'triggers');
  const file = { ...parsed.data, triggers: parsed.data.triggers ?? [] };
  const seen = new Set<string>();
  for (const t of file.triggers) {
    if (seen.has(t.id)) throw new TriggerSetError(`invalid trigger set (${source}): trigger ${t.id}, field id: appears twice`, t.id, 'id');
    seen.add(t.id);
  }
  return file;
}

/** Published 防返贫 monitoring: from the first clue to a decision within 15 (calendar) days. */
export const DEFAULT_DECIDE_DAYS = 15;

/** Published 防返贫 monitoring: verification within 15 (calendar) days of the first clue, for a limit that names no count. */
export const DEFAULT_VERIFY_DAYS = 15;

/** Published 防返贫 monitoring: from the first clue to a decision within 15 days; 签收 within a working day. */
export const DEFAULT_LIMIT: Limit = { acknowledgeWorkingDays: 1, verifyDays: DEFAULT_VERIFY_DAYS, decideDays: DEFAULT_DECIDE_DAYS };

/**
 * The effective trigger set: defaults with the override on top (a trigger of the same id is
 * merged field by field), every trigger checked; `ruleIds` are the rules a RULE trigger may name.
 */
export function buildTriggerSet(
  defaults: unknown,
  override: unknown | null,
  sources: { defaults: string; override?: string },
  ruleIds: ReadonlySet<string>,
  /** Rules with a household-holds condition: those `monitoredRollHolds` may widen. */
  householdRuleIds: ReadonlySet<string> = new Set(),
  /** The rule set's AID_AFTER_DEATH rules' `graceMonths` by rule id: a DEATH_ON_ROLL trigger's grace where it gives none. */
  afterDeathGraces: ReadonlyMap<string, number> = new Map(),
): TriggerSet {
  const base = parseFile(defaults, sources.defaults, true);
  const merged = new Map<string, { raw: Record<string, unknown>; source: string }>(base.triggers.map((t) => [t.id, { raw: t, source: sources.defaults }]));
  let name = base.name ?? 'default';
  let setLimits: Record<Grade, Limit> = base.limits ?? { RED: DEFAULT_LIMIT, ORANGE: DEFAULT_LIMIT, YELLOW: DEFAULT_LIMIT };
  let limitsSource = sources.defaults;
  let notice: NoticeRules = base.notice ?? DEFAULT_NOTICE_RULES;
  let noticeSource = sources.defaults;
  let lastDayOff: LastDayOff = base.lastDayOff ?? DEFAULT_LAST_DAY_OFF;
  let referralReminder: ReferralReminderRule = base.referralReminder ?? DEFAULT_REFERRAL_REMINDER;
  let townshipApproval: TownshipApprovalRule = base.townshipApproval ?? DEFAULT_TOWNSHIP_APPROVAL;
  if (override !== null) {
    const local = parseFile(override, sources.override ?? 'override', false);
    if (local.name) name = `${name} + ${local.name}`;
    if (local.limits) {
      setLimits = local.limits;
      limitsSource = sources.override ?? 'override';
    }
    if (local.lastDayOff) lastDayOff = local.lastDayOff;
    if (local.referralReminder) referralReminder = local.referralReminder;
    if (local.townshipApproval) townshipApproval = local.townshipApproval;
    if (local.notice) {
      notice = local.notice;
      noticeSource = sources.override ?? 'override';
    }
    for (const t of local.triggers) {
      const existing = merged.get(t.id);
      merged.set(t.id, { raw: existing ? { ...existing.raw, ...t } : t, source: sources.override ?? 'override' });
    }
  }
  for (const g of GRADES) checkLimit(setLimits[g], limitsSource, null, `limits.${g}`);
  if ((notice.periodDays === undefined) === (notice.periodWorkingDays === undefined))
    throw new TriggerSetError(`invalid trigger set (${noticeSource}): field notice: give exactly one of periodDays and periodWorkingDays`, null, 'notice');
  const triggers: Trigger[] = [];
  for (const [id, { raw, source }] of merged) {
    const parsed = triggerSchema.safeParse(raw);
    if (!parsed.success) throw firstIssue(parsed.error, source, id);
    const t = parsed.data;
    for (const g of GRADES) if (t.limits?.[g]) checkLimit(t.limits[g], source, id, `limits.${g}`);
    if (t.kind === 'RULE' && !ruleIds.has(t.rule)) throw new TriggerSetError(`invalid trigger set (${source}): trigger ${id}, field rule: no rule ${t.rule} in the rule set`, id, 'rule');
    if (t.kind === 'RULE' && t.monitoredRollHolds && !householdRuleIds.has(t.rule))
      throw new TriggerSetError(`invalid trigger set (${source}): trigger ${id}, field monitoredRollHolds: rule ${t.rule} has no household-holds condition for the roll to meet`, id, 'monitoredRollHolds');
    if (t.kind === 'SETTLEMENT_OUT_OF_POCKET' || t.kind === 'OUT_OF_POCKET_12_MONTHS') {
      for (let i = 1; i < t.bands.length; i++) {
        const [a, b] = [t.bands[i - 1], t.bands[i]];
        if (!(GRADE_RANK[b.grade] > GRADE_RANK[a.grade] && b.monitoredOverFen > a.monitoredOverFen && b.othersOverFen > a.othersOverFen))
          throw new TriggerSetError(`invalid trigger set (${source}): trigger ${id}, field bands[${i}]: each band must be graver and higher than the one before`, id, `bands[${i}]`);
      }
    }
    triggers.push(t.kind === 'DEATH_ON_ROLL' ? { ...t, graceMonths: t.graceMonths ?? ruleGrace(afterDeathGraces, source, id) } : t);
  }
  const digest = crypto.createHash('sha256').update(JSON.stringify({ triggers, setLimits, lastDayOff })).digest('hex').slice(0, 16);
  return { name, triggers, limits: setLimits, notice, lastDayOff, referralReminder, townshipApproval, digest };
}

/**
 * The grace of a DEATH_ON_ROLL trigger that gives none: that of the rule set's AID_AFTER_DEATH rule,
 * found by its kind, not its id (X8 renamed keeps it); 0 without one (自死亡次月起停发). Rules that
 * allow different graces leave the trigger's to be given.
 */
function ruleGrace(graces: ReadonlyMap<string, number>, source: string, id: string): number {
  const distinct = [...new Set(graces.values())];
  if (distinct.length > 1)
    throw new TriggerSetError(`invalid trigger set (${source}): trigger ${id}, field graceMonths: required, since the rule set's AID_AFTER_DEATH rules ${[...graces.keys()].join(', ')} allow different graces`, id, 'graceMonths');
  return distinct[0] ?? 0;
}

function checkLimit(l: Limit, source: string, id: string | null, field: string): void {
  const where = id === null ? `field ${field}` : `trigger ${id}, field ${field}`;
  if ((l.verifyDays === undefined) === (l.verifyWorkingDays === undefined)) {
    throw new TriggerSetError(`invalid trigger set (${source}): ${where}: give exactly one of verifyDays and verifyWorkingDays`, id, field);
  }
  if (l.decideDays !== undefined && l.decideWorkingDays !== undefined) {
    throw new TriggerSetError(`invalid trigger set (${source}): ${where}: give at most one of decideDays and decideWorkingDays`, id, field);
  }
  // Given and counted alike, a decision due before verification is a limit nobody can keep (the
  // decision follows verification). Not given, it is the published 15 days whatever verification's.
  const shorter = (l.decideDays !== undefined && l.verifyDays !== undefined && l.decideDays < l.verifyDays) || (l.decideWorkingDays !== undefined && l.verifyWorkingDays !== undefined && l.decideWorkingDays < l.verifyWorkingDays);
  if (shorter) {
    const f = `${field}.${l.decideWorkingDays !== undefined ? 'decideWorkingDays' : 'decideDays'}`;
    throw new TriggerSetError(`invalid trigger set (${source}): ${id === null ? `field ${f}` : `trigger ${id}, field ${f}`}: the decision is due no earlier than verification (the decision follows it)`, id, f);
  }
}

/** The limit for an alert of this trigger at this grade. */
export function limitOf(set: TriggerSet, trigger: Trigger | undefined, g: Grade): CountedLimit {
  return { ...(trigger?.limits?.[g] ?? set.limits[g]), lastDayOff: set.lastDayOff };
}

/**
 * The limit for an alert of the trigger `triggerId` at this grade: a trigger no longer in the set
 * (alerts outlive a locality's removal of one) has the set's limits for the grade.
 */
export function limitOfAlert(set: TriggerSet, triggerId: string, g: Grade): CountedLimit {
  return limitOf(
    set,
    set.triggers.find((t) => t.id === triggerId),
    g,
  );
}

/** The grade a GradeFor gives to a monitored person or another. */
export function gradeOf(g: GradeFor, monitored: boolean): Grade {
  return typeof g === 'string' ? g : monitored ? g.monitored : g.others;
}

/** What the API shows of a trigger. */
export interface TriggerView {
  id: string;
  kind: string;
  name: string;
  basis: string;
  enabled: boolean;
}

/** How many unknown trigger ids a refusal names (the message stays short whatever was sent). */
const UNKNOWN_NAMED = 10;

/**
 * What a trigger id asked for may look like (wider than the set's own ids, which are capitals, digits
 * and _): checked before an id is looked up, so that an id named in TRIGGER_NOT_FOUND's message is
 * never hostile text echoed back.
 */
export const TRIGGER_ID_SHAPE = /^[A-Za-z0-9_.-]{1,64}$/;
export const TRIGGER_ID_SHAPE_MESSAGE = 'trigger ids are letters, digits, ".", "_" or "-"';

/**
 * TRIGGER_NOT_FOUND's message for trigger ids of which some are no trigger of `set`, naming at most
 * ten of them; null when every id is one. A disabled trigger (enabled: false) is still one of the
 * set: a locality may turn it on again. A subscription and the inbox's filter refuse alike: a typo
 * would otherwise match no alert and read as none. `alsoKnown`: ids of triggers removed from the set
 * that alerts still carry (the inbox's filter finds those alerts).
 */
export function unknownTriggersMessage(set: TriggerSet, ids: readonly string[], alsoKnown: ReadonlySet<string> = new Set()): string | null {
  if (ids.length === 0) return null;
  const known = new Set([...set.triggers.map((t) => t.id), ...alsoKnown]);
  const unknown = [...new Set(ids)].filter((t) => !known.has(t));
  if (unknown.length === 0) return null;
  const named = unknown.slice(0, UNKNOWN_NAMED).join(', ') + (unknown.length > UNKNOWN_NAMED ? ` and ${unknown.length - UNKNOWN_NAMED} more` : '');
  return `not a trigger of the trigger set in force: ${named}`;
}
