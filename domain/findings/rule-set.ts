/**
 * The rule set as data: what each rule may say, checked with zod so that a bad rule file stops the
 * hub at start-up with a message naming the rule and the field, never half-applies.
 *
 * A locality's override file has the same shape as the default file. An entry whose id is a
 * default rule changes only the fields it names (`{ "id": "X6", "enabled": false }`,
 * `{ "id": "X5", "windowMonths": 6 }`); an entry with a new id is a new rule and must be complete.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { PROGRAMME_BY_CODE, PROGRAMMES, type ProgrammeCode, type ProgrammeKind } from '../programmes';
import { stagesOf } from '../school-stages';

const PROGRAMME_CODES = PROGRAMMES.map((p) => p.code) as [ProgrammeCode, ...ProgrammeCode[]];

export const SEVERITIES = ['CONFLICT', 'WARNING', 'MISSED_AID'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RULE_KINDS = [
  'EXCLUSIVE_PROGRAMMES',
  'SAME_PURPOSE_TWICE',
  'REPEATED_GRANTS',
  'SETTLEMENT_EXCESS',
  'AID_AFTER_DEATH',
  'DUPLICATE_ENROLMENT',
  'WRONG_SCHOOL_STAGE',
  'MISSED_AID',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export type RuleScope = 'PERSON' | 'HOUSEHOLD' | 'SETTLEMENT';

const programme = z.enum(PROGRAMME_CODES);

/** A list of programmes, all of one kind: a period rule over one-off grants would never fire. */
function programmesOf(kind: ProgrammeKind | null) {
  return z
    .array(programme)
    .min(1)
    .superRefine((codes, ctx) => {
      if (kind === null) return;
      codes.forEach((code, i) => {
        if (PROGRAMME_BY_CODE.get(code)?.kind !== kind) ctx.addIssue({ code: 'custom', path: [i], message: `${code} is not a ${kind} programme` });
      });
    });
}

const common = {
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'an id is a letter followed by up to 31 letters, digits, _ or -'),
  enabled: z.boolean().default(true),
  /** What an officer reads as the finding's heading. */
  title: z.string().min(1).max(200),
  /** The policy the rule comes from, in words that can be read out at a meeting. */
  basis: z.string().min(1).max(2000),
  severity: z.enum(SEVERITIES),
};

const personOrHousehold = z.enum(['PERSON', 'HOUSEHOLD']);

/** Two groups of recurring programmes that must not run for the same person (or household) at once. */
const exclusiveProgrammes = z.strictObject({
  ...common,
  kind: z.literal('EXCLUSIVE_PROGRAMMES'),
  scope: personOrHousehold,
  first: programmesOf('RECURRING'),
  second: programmesOf('RECURRING'),
});

/** The same purpose funded by both groups of one-off programmes in one school or calendar year. */
const samePurposeTwice = z.strictObject({
  ...common,
  kind: z.literal('SAME_PURPOSE_TWICE'),
  scope: personOrHousehold,
  first: programmesOf('ONE_OFF'),
  second: programmesOf('ONE_OFF'),
  per: z.enum(['SCHOOL_YEAR', 'CALENDAR_YEAR']),
});

/** More than `maxGrants` one-off grants within `windowMonths`, optionally per cause. */
const repeatedGrants = z.strictObject({
  ...common,
  kind: z.literal('REPEATED_GRANTS'),
  scope: personOrHousehold,
  programmes: programmesOf('ONE_OFF'),
  windowMonths: z.number().int().min(1).max(120),
  maxGrants: z.number().int().min(1).max(100),
  sameCause: z.boolean(),
  /** A grant approved as a second aid (二次临时救助) is not itself a finding. */
  secondAidExempt: z.boolean(),
});

/** Aid tied to one hospital settlement adding up to more than the patient's own burden. */
const settlementExcess = z.strictObject({
  ...common,
  kind: z.literal('SETTLEMENT_EXCESS'),
  scope: z.literal('SETTLEMENT').default('SETTLEMENT'),
  programmes: programmesOf('ONE_OFF'),
  /** Excess up to this much is rounding, not a finding. */
  toleranceFen: z.number().int().min(0).default(0),
  /**
   * Of `programmes`, those paid for the patient's own costs (医疗救助): a pre-grant check naming
   * another person's stay is not clear (`settlementOtherPerson`). The others (union, charity) may
   * pay toward a family member's stay.
   */
  patientOnly: z.array(programme).default([]),
}).refine((r) => r.patientOnly.every((p) => r.programmes.includes(p)), { message: 'patientOnly lists only programmes of the rule', path: ['patientOnly'] });

/** Recurring aid still paid for months after the beneficiary's death. */
const aidAfterDeath = z.strictObject({
  ...common,
  kind: z.literal('AID_AFTER_DEATH'),
  scope: z.literal('PERSON').default('PERSON'),
  programmes: programmesOf('RECURRING'),
  /** Months after the month of death still allowed (0: it stops from the next month). */
  graceMonths: z.number().int().min(0).max(12).default(0),
});

/**
 * The same recurring programme held twice over the same days: by one person (PERSON), or by two
 * members of one household where the programme is one per household (HOUSEHOLD: two public-rental
 * allocations); a household pair of one person's own records is left to the PERSON rule.
 */
const duplicateEnrolment = z.strictObject({
  ...common,
  kind: z.literal('DUPLICATE_ENROLMENT'),
  scope: personOrHousehold.default('PERSON'),
  programmes: programmesOf('RECURRING'),
});

/**
 * Aid of a stage-bound programme (domain/school-stages.ts: 国家助学金, 学费减免, 寄宿生生活费补助) paid to
 * a student of another school stage on the aid's day. The stages are the programmes' own, as
 * school-stages.ts holds them with its sources: a rule names the programmes, never the stages.
 */
const wrongSchoolStage = z.strictObject({
  ...common,
  kind: z.literal('WRONG_SCHOOL_STAGE'),
  scope: z.literal('PERSON').default('PERSON'),
  programmes: programmesOf('ONE_OFF').superRefine((codes, ctx) => {
    codes.forEach((code, i) => {
      if (stagesOf(code) === null) ctx.addIssue({ code: 'custom', path: [i], message: `${code} is for any school stage (domain/school-stages.ts): there is no wrong one` });
    });
  }),
});

/** What must be true of a person (or household) for aid to be expected. */
const condition = z.discriminatedUnion('fact', [
  z.strictObject({
    fact: z.literal('DISABILITY_CERTIFICATE'),
    /** 1 (most severe) to 4; omitted: any level. */
    levels: z.array(z.number().int().min(1).max(4)).min(1).optional(),
  }),
  z.strictObject({ fact: z.literal('HOUSEHOLD_HOLDS'), programmes: programmesOf('RECURRING') }),
  z.strictObject({ fact: z.literal('HOLDS'), programmes: programmesOf('RECURRING') }),
  z.strictObject({ fact: z.literal('STUDENT'), minAge: z.number().int().min(0).max(40), maxAge: z.number().int().min(0).max(60) }),
  /**
   * A threshold is stated the way its basis words it: `overFen` where the basis says 超过 (over:
   * exactly the threshold is not enough), `minFen` where it says 达到 / 以上 (at least). One of the two.
   */
  z
    .strictObject({ fact: z.literal('OUT_OF_POCKET'), windowMonths: z.number().int().min(1).max(60), minFen: z.number().int().min(1).optional(), overFen: z.number().int().min(0).optional() })
    .refine((c) => (c.minFen === undefined) !== (c.overFen === undefined), { message: 'give either overFen (超过: strictly more) or minFen (达到/以上: at least), not both', path: ['overFen'] }),
  z.strictObject({ fact: z.literal('GRANTS'), programmes: programmesOf('ONE_OFF'), windowMonths: z.number().int().min(1).max(60), minCount: z.number().int().min(1) }),
]);
export type Condition = z.infer<typeof condition>;

/** An out-of-pocket condition's threshold, and whether reaching it exactly is enough. */
export function thresholdOf(c: { minFen?: number; overFen?: number }): { thresholdFen: number; over: boolean } {
  return c.overFen !== undefined ? { thresholdFen: c.overFen, over: true } : { thresholdFen: c.minFen!, over: false };
}

/** Whether `amountFen` passes a threshold stated as over (strictly more) or at least. */
export function passes(amountFen: number, t: { thresholdFen: number; over: boolean }): boolean {
  return t.over ? amountFen > t.thresholdFen : amountFen >= t.thresholdFen;
}

const expectedWithin = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ACTIVE_TODAY') }),
  z.strictObject({ type: z.literal('SCHOOL_YEAR') }),
  z.strictObject({ type: z.literal('MONTHS'), months: z.number().int().min(1).max(60) }),
]);
export type ExpectedWithin = z.infer<typeof expectedWithin>;

/** A condition present and every expected programme absent. */
const missedAid = z.strictObject({
  ...common,
  kind: z.literal('MISSED_AID'),
  scope: personOrHousehold,
  when: z.array(condition).min(1),
  /**
   * Conditions any one of which means the aid is not owed though `when` holds: M2's living subsidy
   * is not owed to a person the 孤儿 allowance or 特困 support already keeps, which X3 forbids it
   * beside (国发〔2015〕52号). Omitted: none.
   */
  unless: z.array(condition).min(1).optional(),
  expected: z.strictObject({ programmes: programmesOf(null), within: expectedWithin }),
});

export const ruleSchema = z.discriminatedUnion('kind', [
  exclusiveProgrammes,
  samePurposeTwice,
  repeatedGrants,
  settlementExcess,
  aidAfterDeath,
  duplicateEnrolment,
  wrongSchoolStage,
  missedAid,
]);
export type Rule = z.infer<typeof ruleSchema>;
export type RuleOf<K extends RuleKind> = Extract<Rule, { kind: K }>;

/**
 * The rules in force: a rule a locality switched off (`enabled: false`) finds nothing, and is named by
 * nothing a check says either (a warning that a check could not judge names the rules it weighed).
 */
export function rulesInForce<R extends Rule>(rules: readonly R[]): R[] {
  return rules.filter((r) => r.enabled);
}

const fileSchema = z.strictObject({
  /** Free text: which rule set this is, for the scan record. */
  name: z.string().max(200).optional(),
  rules: z.array(z.looseObject({ id: z.string() })),
});

export interface RuleSet {
  name: string;
  /** Every rule, switched-off ones included (the API lists them); evaluation skips disabled ones. */
  rules: readonly Rule[];
  /** A digest of the effective rules: a scan records which rule set it ran. */
  digest: string;
}

/** An invalid rule set. `ruleId` and `field` say where; the message says both and why. */
export class RuleSetError extends Error {
  override name = 'RuleSetError';
  constructor(
    message: string,
    readonly ruleId: string | null,
    readonly field: string | null,
    /** Its stable code: the file could not be read, is no JSON, or is no valid set. */
    readonly code: 'FILE_UNREADABLE' | 'MALFORMED_JSON' | 'INVALID_RULE_SET' = 'INVALID_RULE_SET',
  ) {
    super(message);
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || '(the rule)';
}

function firstIssue(error: z.ZodError, source: string, ruleId: string | null): RuleSetError {
  const issue = error.issues[0];
  let field = fieldPath(issue.path);
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    field = fieldPath([...issue.path, issue.keys[0]]);
    reason = 'not a field this kind of rule has';
  }
  const where = ruleId === null ? `field ${field}` : `rule ${ruleId}, field ${field}`;
  return new RuleSetError(`invalid rule set (${source}): ${where}: ${reason}`, ruleId, field);
}

function parseFile(raw: unknown, source: string): z.infer<typeof fileSchema> {
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(parsed.error, source, null);
  const seen = new Set<string>();
  for (const r of parsed.data.rules) {
    if (seen.has(r.id)) throw new RuleSetError(`invalid rule set (${source}): rule ${r.id}, field id: appears twice`, r.id, 'id');
    seen.add(r.id);
  }
  return parsed.data;
}

/**
 * The effective rule set: the defaults, with a locality's override (if any) applied on top, every
 * rule checked. Throws RuleSetError on the first problem.
 */
export function buildRuleSet(defaults: unknown, override: unknown | null, sources: { defaults: string; override?: string }): RuleSet {
  const base = parseFile(defaults, sources.defaults);
  const merged = new Map<string, { raw: Record<string, unknown>; source: string }>(base.rules.map((r) => [r.id, { raw: r, source: sources.defaults }]));
  let name = base.name ?? 'default';
  if (override !== null) {
    const local = parseFile(override, sources.override ?? 'override');
    if (local.name) name = `${name} + ${local.name}`;
    for (const r of local.rules) {
      const existing = merged.get(r.id);
      merged.set(r.id, { raw: existing ? { ...existing.raw, ...r } : r, source: sources.override ?? 'override' });
    }
  }
  const rules: Rule[] = [];
  for (const [id, { raw, source }] of merged) {
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) throw firstIssue(parsed.error, source, id);
    rules.push(parsed.data);
  }
  const digest = crypto.createHash('sha256').update(JSON.stringify(rules)).digest('hex').slice(0, 16);
  return { name, rules, digest };
}

/** The programmes a rule reads, for deciding whether a department's absence makes it unsafe to run. */
export function programmesOfRule(rule: Rule): ProgrammeCode[] {
  switch (rule.kind) {
    case 'EXCLUSIVE_PROGRAMMES':
    case 'SAME_PURPOSE_TWICE':
      return [...rule.first, ...rule.second];
    case 'REPEATED_GRANTS':
    case 'SETTLEMENT_EXCESS':
    case 'AID_AFTER_DEATH':
    case 'DUPLICATE_ENROLMENT':
    case 'WRONG_SCHOOL_STAGE':
      return [...rule.programmes];
    case 'MISSED_AID': {
      const fromConditions = [...rule.when, ...(rule.unless ?? [])].flatMap((c) => ('programmes' in c ? c.programmes : []));
      return [...new Set([...rule.expected.programmes, ...fromConditions])];
    }
  }
}
