/**
 * The worst values of every Int, Fen and ID argument of the schema (and of any other scalar but the
 * ones swept elsewhere: String in test/bad-input.test.ts, Date and DateTime in
 * test/hostile-dates.test.ts), at any depth of its input objects, through HTTP; and "", spaces and
 * a full-width space in every optional String argument (last describe): refused as EMPTY_VALUE
 * where the argument names or codes something, read as no text where it is prose.
 *
 * Each is answered with a stable code (BAD_USER_INPUT, FORBIDDEN, a payload's userErrors, or a read
 * that finds nothing), never an internal error or a database's own; no write succeeds (every table
 * is as it was afterwards); and the hub keeps answering /healthz. The hub runs in a process of its
 * own (test/support/standalone-hub.ts) so that a value that holds its event loop cannot hold this
 * test; the probes go in rounds, each with one /healthz per probe, as in hostile-dates.
 *
 * The other arguments of each probe name objects that exist (the Wang household, a case, a slip, an
 * alert, a scan), so that a value is read as far as the field reads it: a hub id parsed leniently
 * (" 1", "1e3") would reach a real row. The kinds are numbered apart (cases from 1000, slips from
 * 2000 …), so an id of another kind names nothing of the kind asked for.
 */
import { createClient } from '../access/clients';
import { OFFICE_ROLES, ROOT_RULES } from '../access/policy';
import { accessDbOf } from '../db/access/db';
import { scalarArguments } from '../resolvers/date-ranges';
import { MULTI_LINE_FIELDS } from '../resolvers/text-inputs';
import { buildSchema } from '../resolvers/index';
import { argumentTargets, tableDigests, type ArgumentTarget, type Known } from './support/argument-targets';
import { writeWangJobLossAlert } from './support/alerts';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { killStandaloneHub, startStandaloneHub, type StandaloneHub } from './support/hub-process';
import { healthz, inRounds, REQUEST_TIMEOUT_MS, type Outcome } from './support/hostile-rounds';
import { insertRegions, insertWang, WANG } from './support/scenarios';
import { chinaDateOf } from '../domain/cases/china-time';
import { makeCreditCode } from '../domain/credit-code';

/** Hostile requests in flight at once. */
const ROUND_SIZE = 8;
/** Swept by their own suites. */
const SWEPT_ELSEWHERE = new Set(['String', 'Boolean', 'Date', 'ProposedDate', 'DateTime']);
/** Whatever answers a hostile value may carry. */
const ALLOWED = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'NOT_FOUND']);

/** Numbers as JSON carries them: zero, negatives, the 32-bit ends, past exact integers, near the largest double, a fraction. */
const NUMBERS: [string, number][] = [
  ['0', 0],
  ['-1', -1],
  ['-2^31', -2147483648],
  ['2^31-1', 2147483647],
  ['2^31', 2147483648],
  ['2^53-1', Number.MAX_SAFE_INTEGER],
  ['2^53', 2 ** 53],
  ['-2^53', -(2 ** 53)],
  ['1e308', 1e308],
  ['a fraction', 1.5],
];
/**
 * Values an argument documents as valid: not hostile there. The largest amount the hub takes
 * anywhere (domain/aid.ts MAX_AMOUNT_FEN, ¥21,474,836.47) is one for every Fen: the sweep sends one
 * fen past it too. A decision of 0 fen is one ("amounts are not negative": legal aid, a service),
 * and so is a pre-grant check of 0 fen. A write is not sent such a value (it would be written); a
 * read may answer it.
 */
const IN_RANGE: Record<string, readonly string[]> = {
  Fen: ['2^31-1'],
  ProposedFen: ['2^31-1'],
  'Query.preGrantCheck(input.amountFen: ProposedFen)': ['0'],
  'Mutation.meetingRecord(input.decisions.amountFen: Fen)': ['0'],
  'Mutation.referralReassign(input.amountFen: Fen)': ['0'],
  'Mutation.caseFirstAid(input.amountFen: Fen)': ['0'],
};
const inRange = (t: ArgumentTarget, what: string) => [...(IN_RANGE[t.scalar] ?? []), ...(IN_RANGE[t.argument] ?? [])].includes(what);

let dbs: TestDatabases;
let hubProcess: StandaloneHub | undefined;
let url = '';
let token = '';
let charityToken = '';
/** An office that reports its aid to the hub (aidReport): emergency management has no front-end database. */
let reporterToken = '';
const ids = { household: '', case: '', deliberating: '', referral: '', alert: '', scan: '', consent: '', need: '', pledge: '', delivery: '', project: '' };
const ORG = makeCreditCode('53370800MJ2468013');
/** Today in China, as the hub counts it (a consent's expiry, a delivery's day). */
const today = () => chinaDateOf(new Date());
let before: Map<string, string>;

/** The ids of another kind, for each kind: a case id where a household id goes, a household id anywhere else. */
const IDS: [string, (t: ArgumentTarget) => unknown][] = [
  ['empty', () => ''],
  ['0', () => '0'],
  ['-1', () => '-1'],
  ['23 digits', () => '99999999999999999999999'],
  ['exponent', () => '1e3'],
  ['a leading space', () => ' 1'],
  ['letters', () => 'abc'],
  ['10,000 characters', () => 'x'.repeat(10_000)],
  ['a number past exact integers (JSON)', () => 99999999999999999999999],
  ['a negative number (JSON)', () => -1],
  ['an id of another kind', (t) => (isHouseholdId(t) ? ids.case : ids.household)],
];

function isHouseholdId(t: ArgumentTarget): boolean {
  return /householdId$/.test(t.path) || t.where === 'Query.household' || t.where === 'Query.households';
}

/** The existing object an id argument names, by its name and field; valid values for the rest. */
function known(name: string, scalar: string, where: string): unknown {
  if (scalar === 'ID') {
    if (name === 'householdId' || ((name === 'id' || name === 'ids') && where.startsWith('Query.household'))) return ids.household;
    if (name === 'caseId' || (name === 'id' && where === 'Query.case')) return ids.case;
    if (name === 'referralId' || (name === 'id' && where === 'Query.referral')) return ids.referral;
    if (name === 'alertId' || (name === 'id' && where === 'Query.alert')) return ids.alert;
    if (name === 'id' && where === 'Query.scan') return ids.scan;
    if (name === 'needId' || (name === 'id' && where === 'Query.charityNeedDetail')) return ids.need;
    if (name === 'consentId') return ids.consent;
    if (name === 'pledgeId') return ids.pledge;
    if (name === 'deliveryId') return ids.delivery;
    if (name === 'projectId') return ids.project;
    if (name === 'programme') return 'TEMP_AID';
    if (name === 'triggers' || name === 'triggerIds') return 'T4_JOB_LOSS';
    if (name === 'rules') return 'X1';
  }
  if (name === 'first') return 10;
  if (name === 'deadlineWorkingDays') return 5;
  if (scalar === 'Fen' || scalar === 'ProposedFen') return 10_000;
  return undefined;
}

/**
 * The writes that take an amount or a number of days, in full and valid, on objects that exist, so
 * that the value under test is what is judged (not a missing cause or an unknown pledge).
 */
const BASES: Record<string, () => Record<string, unknown>> = {
  'Query.preGrantCheck': () => ({ input: { beneficiaryIdNumber: WANG.head, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 10_000, grantDate: today() } }),
  'Mutation.meetingRecord': () => ({
    input: { caseId: ids.deliberating, heldOn: today(), departmentsPresent: ['CIVIL_AFFAIRS', 'HEALTH'], decisions: [{ department: 'HEALTH', programme: 'MEDICAL_AID', amountFen: 100_000, deadlineWorkingDays: 5, ask: '医疗救助', beneficiaryIdNumber: WANG.head }] },
  }),
  'Mutation.referralIssue': () => ({ input: { caseId: ids.case, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 5 } }),
  'Mutation.referralReassign': () => ({ input: { referralId: ids.referral, reason: '改由住建部门办理', department: 'HOUSING', programme: 'RURAL_RENOVATION', amountFen: 100_000, deadlineWorkingDays: 5, ask: '危房改造', beneficiaryIdNumber: WANG.head } }),
  'Mutation.caseFirstAid': () => ({ input: { caseId: ids.case, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 100_000, beneficiaryIdNumber: WANG.head, reason: '先行救助' } }),
  'Mutation.charityNeedPublish': () => ({ input: { caseId: ids.case, consentId: ids.consent, purpose: 'LIVING', urgency: 'URGENT', uncoveredFen: 100_000, description: '生活困难，尚有缺口' } }),
  'Mutation.charityNeedPublishFromAlert': () => ({ input: { alertId: ids.alert, consentId: ids.consent, purpose: 'LIVING', uncoveredFen: 100_000, description: '失业后生活困难' } }),
  'Mutation.charityProjectCreate': () => ({ input: { title: '生活救助', purpose: 'LIVING', regionCode: '370800', budgetFen: 1_000_000, reference: 'HS-PROJECT' } }),
  'Mutation.charityPledgeCreate': () => ({ input: { needId: ids.need, amountFen: 10_000, projectId: ids.project, reference: 'HS-PLEDGE-2' } }),
  'Mutation.charityDeliveryReport': () => ({ input: { pledgeId: ids.pledge, amountFen: 10_000, deliveredOn: today(), beneficiaryIdNumber: WANG.head, reference: 'HS-DELIVERY-2' } }),
  'Mutation.charityDeliveryCorrect': () => ({ input: { deliveryId: ids.delivery, amountFen: 5_000, reason: '金额更正', reference: 'HS-CORRECT' } }),
  'Mutation.charityPledgeReduce': () => ({ input: { pledgeId: ids.pledge, amountFen: 10_000, reason: '预算调整', reference: 'HS-REDUCE' } }),
  'Mutation.alertSubscriptionCreate': () => ({ input: { client: `hostile-scalars-${process.pid}`, callbackUrl: 'http://127.0.0.1:9/alerts', regionCodes: ['370811'], triggerIds: ['T4_JOB_LOSS'] } }),
  // 冬春救助 in its season (December to May: OUT_OF_SEASON otherwise), never after today: 1 January this year.
  'Mutation.aidReport': () => ({ input: { records: [{ reference: 'HS-REPORT', beneficiaryIdNumber: WANG.head, programme: 'WINTER_SPRING_RELIEF', grantDate: `${today().slice(0, 4)}-01-01`, amountFen: 10_000 }] } }),
};

const ROUTES = { Scan: { root: 'Query' as const, field: 'scan', argument: 'id', parent: () => ids.scan } };

function targets(): ArgumentTarget[] {
  return argumentTargets(buildSchema(), (scalar) => !SWEPT_ELSEWHERE.has(scalar), { known, bases: BASES, routes: ROUTES });
}

interface Probe {
  target: ArgumentTarget;
  what: string;
  value: unknown;
}

function probes(): Probe[] {
  return targets().flatMap((target) =>
    target.scalar === 'ID'
      ? IDS.map(([what, value]) => ({ target, what, value: value(target) }))
      : NUMBERS.filter(([what]) => target.root === 'Query' || !inRange(target, what)).map(([what, value]) => ({ target, what, value })),
  );
}

interface Answer {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } | null;
}

/** The token and purpose a field serves: a charity's own fields with the charity's client (CHARITY is held alone). */
function callerFor(root: string, field: string): { bearer: string; purpose: string } {
  const rule = ROOT_RULES[root]?.[field];
  const bearer = field === 'aidReport' ? reporterToken : rule?.roles?.includes('CHARITY') && !rule.roles.includes('CASEWORKER') ? charityToken : token;
  return { bearer, purpose: rule?.purposes?.[0] ?? 'ELIGIBILITY_REVIEW' };
}

async function post(query: string, variables: Record<string, unknown>, caller: { bearer: string; purpose: string }): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${caller.bearer}`, 'x-purpose': caller.purpose },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let body: Answer['body'] = null;
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    /* judged below: every answer is JSON */
  }
  return { status: res.status, text, body };
}


beforeAll(async () => {
  dbs = await createTestDatabases('hostile_scalars');
  await insertRegions(dbs);
  ids.household = String(await insertWang(dbs));
  // Each kind numbered apart, so that an id of one kind names nothing of another.
  const numbering = [
    ['aid_case', 1000],
    ['referral_slip', 2000],
    ['monitoring_alert', 3000],
    ['finding_scan', 4000],
    ['charity_consent', 5000],
    ['charity_need', 6000],
    ['charity_pledge', 7000],
    ['charity_delivery', 8000],
    ['charity_project', 9000],
  ] as const;
  for (const [table, from] of numbering) {
    await dbs.hubPool.query(`ALTER TABLE \`${table}\` AUTO_INCREMENT = ${from}`);
  }
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: `hostile-scalars-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: OFFICE_ROLES, expiresAt: null }));
  ({ token: charityToken } = await createClient(accessDbOf(dbs.hub), { name: `hostile-scalars-charity-${process.pid}`, department: 'CHARITY', regionScope: '370000', roles: ['CHARITY'], expiresAt: null }));
  // A subscription may name a receiver here (alertSubscriptionCreate's triggers are read after its callback).
  hubProcess = await startStandaloneHub(dbs.hubUrl, { AIDHUB_CALLBACK_HOSTS: '127.0.0.1:*' });
  url = hubProcess.url;

  ({ token: reporterToken } = await createClient(accessDbOf(dbs.hub), { name: `hostile-scalars-reporter-${process.pid}`, department: 'EMERGENCY_MANAGEMENT', regionScope: '370000', roles: ['DEPARTMENT_WRITER'], expiresAt: null }));
  const as = (purpose: string) => ({ bearer: token, purpose });
  const charity = { bearer: charityToken, purpose: 'CHARITY_LINKAGE' };
  /** The payload of a write that must succeed. */
  const ok = async (caller: { bearer: string; purpose: string }, input: Record<string, unknown>, field: string, inputType: string, selection: string) => {
    const res = await post(`mutation($input: ${inputType}!) { ${field}(input: $input) { ${selection} userErrors { code } } }`, { input }, caller);
    expect({ field, errors: res.body?.errors, userErrors: res.body?.data?.[field]?.userErrors }).toEqual({ field, errors: undefined, userErrors: [] });
    return res.body!.data[field];
  };
  ids.case = (await ok(as('CASE_MEETING'), { householdId: ids.household, origin: 'APPLICATION', urgency: 'URGENT', summary: '数值边界' }, 'caseOpen', 'CaseOpenInput', 'case { id }')).case.id;
  ids.referral = (await ok(as('CASE_MEETING'), { caseId: ids.case, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 5 }, 'referralIssue', 'ReferralIssueInput', 'referral { id }')).referral.id;
  ids.deliberating = (await ok(as('CASE_MEETING'), { householdId: ids.household, origin: 'APPLICATION', urgency: 'NORMAL', summary: '待议' }, 'caseOpen', 'CaseOpenInput', 'case { id }')).case.id;
  for (const to of ['ACCEPTED', 'INVESTIGATING', 'IN_DELIBERATION']) await ok(as('CASE_MEETING'), { caseId: ids.deliberating, to, reason: to }, 'caseTransition', 'CaseTransitionInput', 'case { id }');
  // Verified by the county's civil affairs office, the caller here (charityNeedPublishFromAlert is the verifier's).
  ids.alert = await writeWangJobLossAlert(dbs, { identity: 'hostile-scalars', householdId: Number(ids.household), now: () => new Date(), verifierOffice: 'CIVIL_AFFAIRS' });
  await ok(as('MONITORING'), { alertId: ids.alert, officer: 'RC-0042' }, 'alertAcknowledge', 'AlertAcknowledgeInput', 'alert { id }');
  await ok(as('MONITORING'), { alertId: ids.alert, outcome: 'NEEDS_AID', reason: '入户核实', officer: 'RC-0042' }, 'alertVerify', 'AlertVerifyInput', 'alert { id }');
  ids.scan = (await ok(as('MONITORING'), { regionCode: '370811' }, 'scanStart', 'ScanStartInput', 'scan { id }')).scan.id;
  for (let state = ''; state !== 'SUCCEEDED'; ) {
    const res = await post(`query($id: ID!) { scan(id: $id) { state } }`, { id: ids.scan }, as('MONITORING'));
    state = res.body!.data.scan.state;
    if (state === 'FAILED') throw new Error('the scan failed');
    if (state !== 'SUCCEEDED') await new Promise((r) => setTimeout(r, 200));
  }
  // The charity chain: an organisation, the household's consent, a need, claimed and pledged in part, a delivery, a project.
  await ok(charity, { creditCode: ORG, name: '济宁市某慈善基金会' }, 'charityOrganisationRegister', 'CharityOrganisationRegisterInput', 'organisation { creditCode }');
  const expiresOn = `${Number(today().slice(0, 4)) + 1}-06-30`;
  ids.consent = (await ok(as('CHARITY_LINKAGE'), { householdId: ids.household, scopes: ['NEED_PUBLICATION', 'HEALTH_DATA', 'MINOR_DATA'], givenBy: '户主', expiresOn, officer: 'RC-0042' }, 'charityConsentRecord', 'CharityConsentRecordInput', 'consent { id }')).consent.id;
  ids.need = (await ok(as('CHARITY_LINKAGE'), { caseId: ids.case, consentId: ids.consent, purpose: 'LIVING', urgency: 'URGENT', uncoveredFen: 200_000, description: '生活困难，尚有缺口' }, 'charityNeedPublish', 'CharityNeedPublishInput', 'need { id }')).need.id;
  await ok(charity, { needId: ids.need }, 'charityNeedClaim', 'CharityNeedClaimInput', 'claim { needId }');
  ids.project = (await ok(charity, { title: '生活救助', purpose: 'LIVING', regionCode: '370800', budgetFen: 1_000_000, reference: 'HS-PROJECT-1' }, 'charityProjectCreate', 'CharityProjectCreateInput', 'project { id }')).project.id;
  ids.pledge = (await ok(charity, { needId: ids.need, amountFen: 50_000, reference: 'HS-PLEDGE-1' }, 'charityPledgeCreate', 'CharityPledgeCreateInput', 'pledge { id }')).pledge.id;
  ids.delivery = (await ok(charity, { pledgeId: ids.pledge, amountFen: 10_000, deliveredOn: today(), beneficiaryIdNumber: WANG.head, reference: 'HS-DELIVERY-1' }, 'charityDeliveryReport', 'CharityDeliveryReportInput', 'delivery { id }')).delivery.id;
  expect(Object.values(ids).every((id) => /^[1-9]\d*$/.test(id))).toBe(true);
  before = await tableDigests(dbs);
}, 180_000);

afterAll(async () => {
  // Only the process this file started, by its own handle.
  await killStandaloneHub(hubProcess);
  await dbs?.close();
});

function judge({ probe, answer, failure }: Outcome<Probe, Answer>): string | null {
  const label = `${probe.target.argument} = ${probe.what}`;
  if (failure) return `${label}: ${failure}`;
  if (!answer!.body) return `${label}: not JSON (HTTP ${answer!.status})`;
  if (answer!.status >= 500) return `${label}: HTTP ${answer!.status}`;
  const codes = (answer!.body.errors ?? []).map((e) => e.extensions?.code);
  const bad = codes.filter((c) => !ALLOWED.has(c));
  if (bad.length) return `${label}: ${JSON.stringify(bad)} ${answer!.body.errors!.map((e) => e.message).join(' / ').slice(0, 200)}`;
  const leak = /stacktrace|\bat \S+ \(|node_modules|\.ts:\d+|\bER_[A-Z_]+|SQL syntax|sqlMessage|errno/.exec(answer!.text);
  if (leak) return `${label}: a stack trace or a database error (${answer!.text.slice(Math.max(0, leak.index - 80), leak.index + 80)})`;
  if (typeof probe.value === 'string' && probe.value.length > 100 && answer!.text.includes(probe.value.slice(0, 100))) return `${label}: the value is echoed`;
  // A number out of its range is refused (not clamped, not answered as if it were another); an id
  // may find nothing on a read; a write is refused: an error, or a payload with userErrors.
  const mustRefuse = probe.target.root === 'Mutation' || (probe.target.scalar !== 'ID' && !inRange(probe.target, probe.what));
  if (mustRefuse && codes.length === 0) {
    const payload = answer!.body.data?.[probe.target.field];
    if (!payload?.userErrors?.length) return `${label}: ${probe.target.root === 'Mutation' ? 'written' : 'answered'} (${JSON.stringify(payload).slice(0, 100)})`;
  }
  return null;
}

describe('the worst values of every Int, Fen and ID argument, through HTTP', () => {
  it('covers every argument of every scalar not swept elsewhere, at any depth', () => {
    const covered = new Set(probes().map((p) => p.target.argument));
    const all = scalarArguments(buildSchema(), (scalar) => !SWEPT_ELSEWHERE.has(scalar));
    expect(all.filter((a) => !covered.has(a))).toEqual([]);
    expect(new Set(all.map((a) => a.replace(/.*: (\w+)\)$/, '$1')))).toEqual(new Set(['Int', 'Fen', 'ProposedFen', 'ID']));
  });

  it('are refused (or find nothing), write nothing, and /healthz keeps answering', async () => {
    const all = probes();
    const { outcomes, healthAnswers, healthFailures } = await inRounds(url, all, ROUND_SIZE, (probe) => post(probe.target.operation, probe.target.variables(probe.value), callerFor(probe.target.root, probe.target.field)));
    expect(outcomes.map(judge).filter((f) => f !== null)).toEqual([]);
    expect(outcomes).toHaveLength(all.length);
    expect(healthFailures).toEqual([]);
    expect(healthAnswers).toBe(all.length);
    expect(await healthz(url)).toBe(true);
    // Nothing was written anywhere (the audit trail, append-only, is checked by its own suites).
    const after = await tableDigests(dbs);
    expect([...before.keys()].filter((t) => before.get(t) !== after.get(t))).toEqual([]);
  }, 300_000);
});

// ----- "" and whitespace in every optional String argument ------------------------------------------

/** What a form sends for a field left empty. */
const EMPTIES: [string, string][] = [
  ['empty', ''],
  ['spaces', '   '],
  ['a full-width space', '\u3000'],
  // Pasted from a web form or a word processor: shows nothing, read as nothing (domain/text-length.ts isBlank).
  ['zero-width characters', '\u200b\ufeff\u2060'],
];

/** The prose of the schema (resolvers/text-inputs.ts MULTI_LINE_FIELDS): left empty, it is no text. */
const isProse = (t: ArgumentTarget) => MULTI_LINE_FIELDS.has(t.path.split('.').at(-1)!);

/** Every String leaf of every argument, the other arguments naming objects that exist (as above). */
function stringTargets(): ArgumentTarget[] {
  return argumentTargets(buildSchema(), (scalar) => scalar === 'String', { known, bases: BASES, routes: ROUTES });
}

describe('"" and whitespace in every optional String argument, through HTTP', () => {
  it('reaches every String argument of the schema, at any depth', () => {
    const reached = new Set(stringTargets().map((t) => t.argument));
    expect(scalarArguments(buildSchema(), (scalar) => scalar === 'String').filter((a) => !reached.has(a))).toEqual([]);
    expect(stringTargets().filter((t) => t.optional && !isProse(t)).length).toBeGreaterThan(40);
  });

  it('one that names or codes something (an ID number, a division, a reference, a cursor, an officer …) is refused as EMPTY_VALUE at its path, and nothing is written', async () => {
    const before = await tableDigests(dbs);
    const failures: string[] = [];
    for (const target of stringTargets().filter((t) => t.optional && !isProse(t))) {
      for (const [what, value] of EMPTIES) {
        const answer = await post(target.operation, target.variables(value), callerFor(target.root, target.field));
        const probe = { target, what, value };
        const general = judge({ probe, answer });
        if (general) failures.push(general);
        const error = answer.body?.errors?.[0]?.extensions;
        const got = { code: error?.code, reason: error?.reason, argument: typeof error?.argument === 'string' ? error.argument.replace(/\.\d+(?=\.|$)/g, '') : error?.argument };
        if (JSON.stringify(got) !== JSON.stringify({ code: 'BAD_USER_INPUT', reason: 'EMPTY_VALUE', argument: target.path })) {
          failures.push(`${target.argument} = ${what}: ${JSON.stringify(got)} ${JSON.stringify(answer.body?.data ?? null).slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    const after = await tableDigests(dbs);
    expect([...before.keys()].filter((t) => before.get(t) !== after.get(t))).toEqual([]);
  }, 300_000);

  it('prose left empty reads as no text: answered as if it were left out, never EMPTY_VALUE', async () => {
    const before = await tableDigests(dbs);
    // Ids naming nothing that exists, so that no write succeeds either way.
    const nothing: Known = (name, scalar, where) => (scalar === 'ID' ? '999999999' : known(name, scalar, where));
    const prose = argumentTargets(buildSchema(), (scalar) => scalar === 'String', { known: nothing, routes: ROUTES }).filter((t) => t.optional && isProse(t));
    expect(prose.length).toBeGreaterThan(5);
    const answerOf = (a: Answer) => ({ errors: (a.body?.errors ?? []).map((e) => [e.extensions?.code, e.extensions?.reason]), data: a.body?.data ?? null });
    const failures: string[] = [];
    for (const target of prose) {
      const caller = callerFor(target.root, target.field);
      const absent = answerOf(await post(target.operation, target.variables(null), caller));
      for (const [what, value] of EMPTIES.slice(0, 1)) {
        const answer = await post(target.operation, target.variables(value), caller);
        const general = judge({ probe: { target, what, value }, answer });
        if (general) failures.push(general);
        if (JSON.stringify(answerOf(answer)) !== JSON.stringify(absent)) failures.push(`${target.argument} = ${what}: ${JSON.stringify(answerOf(answer))}, left out: ${JSON.stringify(absent)}`);
      }
    }
    expect(failures).toEqual([]);
    const after = await tableDigests(dbs);
    expect([...before.keys()].filter((t) => before.get(t) !== after.get(t))).toEqual([]);
  }, 300_000);
});
