/**
 * No date argument can hold the hub's event loop (issue 15: `overdueReport(asOf: "9999-12-31…")`
 * never returned, and stopped the hub for everyone).
 *
 * The hub runs in a process of its own (test/support/standalone-hub.ts), so that a held event loop
 * there cannot hold this test: every request here has a bounded timeout. The worst inputs of every
 * date-taking argument of the schema (year 0, 1, 1899/1900, 2100, 2200, 9999, +010000, and the
 * last instant inside the range) are sent in rounds; each round also asks `/healthz`, and the round
 * ends only when all of its requests have answered. So `/healthz` answers once per hostile request
 * while the hostile batch is in flight, or the test fails: nothing here measures milliseconds, and
 * the timeouts are generous (a loaded machine answers in well under a second what they allow 20 s).
 * A round with a timeout ends the batch: the hub is stuck, and further rounds would only wait.
 */
import { createClient } from '../access/clients';
import { OFFICE_ROLES } from '../access/policy';
import { accessDbOf } from '../db/access/db';
import { dateArguments } from '../resolvers/date-ranges';
import { buildSchema } from '../resolvers/index';
import { createTestDatabases, type TestDatabases } from './support/databases';
import { killStandaloneHub, startStandaloneHub, type StandaloneHub } from './support/hub-process';
import { healthz, inRounds, REQUEST_TIMEOUT_MS, type Outcome } from './support/hostile-rounds';
import { insertRegions, insertWang, WANG } from './support/scenarios';

/** Hostile requests in flight at once. */
const ROUND_SIZE = 6;

interface Probe {
  /** The argument, as dateArguments() names it. */
  argument: string;
  value: string;
  query: string;
  variables: Record<string, unknown>;
  purpose: string;
  /**
   * REFUSED: BAD_USER_INPUT; ANSWERED: data and no error (a value inside the range); NOT_STARTED:
   * inside the range but before the case or slip's deadlines start, answered with data that `shows` holds of.
   */
  expect: 'REFUSED' | 'ANSWERED' | 'NOT_STARTED';
  /** What a NOT_STARTED probe's data must hold. */
  shows?: (data: any) => boolean;
  /** The argument path the refusal must name (absent where the scalar itself refuses the value). */
  path?: string;
}

const BAD_DATES = ['0000-01-01', '0001-01-01', '1899-12-31', '2100-01-01', '2200-01-01', '9999-12-31', '+010000-01-01'];
const BAD_INSTANTS = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '1900-01-01T00:00:00Z',
  '1999-12-31T15:59:59.999Z',
  '2100-01-01T00:00:00+08:00',
  '2200-01-01T00:00:00Z',
  '9999-12-31T00:00:00Z',
  '9999-12-31T23:59:59-12:00',
  '+010000-01-01T00:00:00Z',
];
/** The far ends of the ranges: answered, and quickly (the old walk took seconds here). */
const LAST_INSTANT = '2099-12-31T23:59:59.999+08:00';
const FIRST_INSTANT = '2000-01-01T00:00:00+08:00';

let dbs: TestDatabases;
let hubProcess: StandaloneHub | undefined;
let url = '';
let token = '';
/** A charity's client: CHARITY is held alone (access/policy.ts), so the charity's own mutations are sent with it. */
let charityToken = '';
let auditorToken = '';
let justiceToken = '';
let householdId = '';
let caseId = '';
let referralId = '';
let legacyCaseId = '';

interface Answer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] };
}

async function post(query: string, variables: Record<string, unknown>, purpose: string): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${/charityDelivery(Report|Correct)/.test(query) ? charityToken : purpose === 'AUDIT' ? auditorToken : purpose === 'LEGAL_AID_MEANS_CHECK' ? justiceToken : token}`, 'x-purpose': purpose },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}


beforeAll(async () => {
  dbs = await createTestDatabases('hostile_dates');
  await insertRegions(dbs);
  householdId = String(await insertWang(dbs));
  ({ token } = await createClient(accessDbOf(dbs.hub), { name: `hostile-dates-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: OFFICE_ROLES, expiresAt: null }));
  ({ token: charityToken } = await createClient(accessDbOf(dbs.hub), { name: `hostile-dates-charity-${process.pid}`, department: 'CHARITY', regionScope: '370000', roles: ['CHARITY'], expiresAt: null }));
  ({ token: auditorToken } = await createClient(accessDbOf(dbs.hub), { name: `hostile-dates-auditor-${process.pid}`, department: 'CIVIL_AFFAIRS', regionScope: '370000', roles: ['AUDITOR'], expiresAt: null }));
  ({ token: justiceToken } = await createClient(accessDbOf(dbs.hub), { name: `hostile-dates-justice-${process.pid}`, department: 'JUSTICE', regionScope: '370000', roles: ['READER'], expiresAt: null }));
  hubProcess = await startStandaloneHub(dbs.hubUrl);
  url = hubProcess.url;

  // A case and a slip to measure deadlines on; and a case reported at the first instant allowed,
  // so that supervision counts working days across the whole range.
  const open = `mutation($input: CaseOpenInput!) { caseOpen(input: $input) { case { id } userErrors { code } } }`;
  const opened = await post(open, { input: { householdId, origin: 'APPLICATION', urgency: 'NORMAL', summary: '日期边界' } }, 'CASE_MEETING');
  caseId = opened.body.data.caseOpen.case.id;
  // A stated report is bounded to a year back (domain/cases/stated-time.ts): the first instant of the
  // range is refused with a code; the legacy row below still spans the whole range.
  const old = await post(open, { input: { householdId, origin: 'APPLICATION', urgency: 'URGENT', summary: '最早的报告时刻', reportedAt: FIRST_INSTANT } }, 'CASE_MEETING');
  expect(old.body.data.caseOpen.userErrors).toEqual([{ code: 'OCCURRED_TOO_EARLY' }]);
  const issued = await post(
    `mutation($input: ReferralIssueInput!) { referralIssue(input: $input) { referral { id } userErrors { code } } }`,
    { input: { caseId, to: { department: 'HEALTH' }, ask: '核实住院费用', deadlineWorkingDays: 5 } },
    'CASE_MEETING',
  );
  referralId = issued.body.data.referralIssue.referral.id;
  // A case written before the ranges were enforced, reported in year 1 (issue 15: from then on
  // every supervision query cost seconds): the supervision report must still answer.
  const [inserted] = await dbs.hubPool.query(
    `INSERT INTO aid_case (household_id, township_code, origin, urgency, state, summary, first_office, owner_office, reported_at)
     SELECT household_id, township_code, origin, urgency, state, 'legacy', first_office, owner_office, '0001-01-01 00:00:00.000' FROM aid_case WHERE id = ?`,
    [Number(caseId)],
  );
  legacyCaseId = String((inserted as { insertId: number }).insertId);
}, 180_000);

afterAll(async () => {
  // Only the process this file started, by its own handle.
  await killStandaloneHub(hubProcess);
  await dbs?.close();
});

interface Template {
  /** As dateArguments() names it. */
  argument: string;
  type: 'Date' | 'DateTime';
  /** The path a refusal names. */
  path: string;
  query: string;
  purpose: string;
  /** The variables with the value given: `$v`, or inside `$input`. */
  variables: (value: string) => Record<string, unknown>;
}

/** Every date-taking argument, with how to reach it over HTTP. */
function templates(): Template[] {
  const person = WANG.head;
  const field = (argument: string, type: Template['type'], path: string, query: string, purpose: string, others: Record<string, unknown> = {}): Template => ({
    argument,
    type,
    path,
    query,
    purpose,
    variables: (v) => ({ ...others, v }),
  });
  const mutation = (name: string, payload: string, input: (v: string) => Record<string, unknown>, path: string, type: Template['type'] = 'DateTime'): Template => ({
    argument: `Mutation.${name}(input.${path}: ${type})`,
    type,
    path: `input.${path}`,
    query: `mutation($input: ${name[0].toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { ${payload} userErrors { code } } }`,
    purpose: 'CASE_MEETING',
    variables: (v) => ({ input: input(v) }),
  });
  return [
    ...(['from', 'to'] as const).flatMap((arg) => [
      field(`Household.aid(${arg}: Date)`, 'Date', arg, `query($id: ID!, $v: Date) { household(id: $id) { aid(${arg}: $v) { amountFen } } }`, 'ELIGIBILITY_REVIEW', { id: householdId }),
      field(`Household.aidSummary(${arg}: Date)`, 'Date', arg, `query($id: ID!, $v: Date) { household(id: $id) { aidSummary(${arg}: $v) { complete } } }`, 'ELIGIBILITY_REVIEW', { id: householdId }),
      field(`Person.aid(${arg}: Date)`, 'Date', arg, `query($idn: String!, $v: Date) { person(idNumber: $idn) { aid(${arg}: $v) { amountFen } } }`, 'ELIGIBILITY_REVIEW', { idn: person }),
    ]),
    ...(['grantDate', 'periodStart', 'periodEnd'] as const).map((name) => ({
      argument: `Query.preGrantCheck(input.${name}: ProposedDate)`,
      type: 'Date' as const,
      path: `input.${name}`,
      query: `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear } }`,
      purpose: 'DUPLICATE_CHECK',
      variables: (v: string) => ({ input: { beneficiaryIdNumber: person, programme: name === 'grantDate' ? 'TEMP_AID' : 'DIBAO', cause: name === 'grantDate' ? 'ILLNESS' : undefined, amountFen: 10000, periodStart: name === 'grantDate' ? undefined : '2026-01-01', [name]: v } }),
    })),
    field('Query.overdueReport(asOf: DateTime)', 'DateTime', 'asOf', `query($v: DateTime) { overdueReport(asOf: $v) { asOf byOffice { cases { deadline { kind } } referrals { overdue { workingDays } } } } }`, 'CASE_MEETING'),
    field('Query.overdueReport(shortfallsSince: Date)', 'Date', 'shortfallsSince', `query($v: Date) { overdueReport(shortfallsSince: $v) { asOf byOffice { shortfalls { shortfallFen } } } }`, 'CASE_MEETING'),
    field('Case.deadlines(asOf: DateTime)', 'DateTime', 'asOf', `query($id: ID!, $v: DateTime) { case(id: $id) { deadlines(asOf: $v) { kind status provisional } } }`, 'CASE_MEETING', { id: caseId }),
    field('Case.anyDeadlineMissed(asOf: DateTime)', 'DateTime', 'asOf', `query($id: ID!, $v: DateTime) { case(id: $id) { anyDeadlineMissed(asOf: $v) } }`, 'CASE_MEETING', { id: caseId }),
    field('Referral.deadlineStatus(asOf: DateTime)', 'DateTime', 'asOf', `query($id: ID!, $v: DateTime) { referral(id: $id) { deadlineStatus(asOf: $v) } }`, 'CASE_MEETING', { id: referralId }),
    field('Referral.overdue(asOf: DateTime)', 'DateTime', 'asOf', `query($id: ID!, $v: DateTime) { referral(id: $id) { overdue(asOf: $v) { workingDays } } }`, 'CASE_MEETING', { id: referralId }),
    field('Referral.timeLeft(asOf: DateTime)', 'DateTime', 'asOf', `query($id: ID!, $v: DateTime) { referral(id: $id) { timeLeft(asOf: $v) { workingDays } } }`, 'CASE_MEETING', { id: referralId }),
    mutation('caseOpen', 'case { id }', (v) => ({ householdId, origin: 'APPLICATION', urgency: 'NORMAL', summary: 'x', reportedAt: v }), 'reportedAt'),
    mutation('caseTransition', 'case { id }', (v) => ({ caseId, to: 'ACCEPTED', reason: 'x', occurredAt: v }), 'occurredAt'),
    mutation('meetingRecord', 'meeting { id }', (v) => ({ caseId, heldOn: '2026-01-05', departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [], occurredAt: v }), 'occurredAt'),
    mutation('meetingRecord', 'meeting { id }', (v) => ({ caseId, heldOn: v, departmentsPresent: ['CIVIL_AFFAIRS'], decisions: [] }), 'heldOn', 'Date'),
    mutation('referralIssue', 'referral { id }', (v) => ({ caseId, to: { department: 'HEALTH' }, ask: 'x', deadlineWorkingDays: 3, occurredAt: v }), 'occurredAt'),
    mutation('referralAccept', 'referral { id }', (v) => ({ referralId, occurredAt: v }), 'occurredAt'),
    mutation('referralComplete', 'referral { id }', (v) => ({ referralId, feedback: 'x', occurredAt: v }), 'occurredAt'),
    mutation('referralDecline', 'referral { id }', (v) => ({ referralId, reason: 'x', occurredAt: v }), 'occurredAt'),
    mutation('caseFirstAid', 'case { id }', (v) => ({ caseId, programme: 'TEMP_AID', cause: 'ILLNESS', amountFen: 1, reason: 'x', occurredAt: v }), 'occurredAt'),
    mutation('caseMaterialsComplete', 'case { id }', (v) => ({ caseId, note: 'x', occurredAt: v }), 'occurredAt'),
    mutation('caseForwardForApproval', 'case { id }', (v) => ({ caseId, programme: 'DIBAO', to: { department: 'CIVIL_AFFAIRS' }, review: 'x', occurredAt: v }), 'occurredAt'),
    // schema/charity.graphql, under its own purpose
    ...[
      mutation('charityConsentRecord', 'consent { id }', (v) => ({ householdId, scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: v, officer: 'x' }), 'expiresOn', 'Date'),
      mutation('charityDeliveryReport', 'delivery { id }', (v) => ({ pledgeId: '1', amountFen: 1, deliveredOn: v, reference: 'x' }), 'deliveredOn', 'Date'),
      mutation('charityDeliveryCorrect', 'delivery { id }', (v) => ({ deliveryId: '1', deliveredOn: v, reason: 'x', reference: 'x' }), 'deliveredOn', 'Date'),
      mutation('charityNeedPublishFromAlert', 'need { id }', (v) => ({ alertId: '1', consent: { scopes: ['NEED_PUBLICATION'], givenBy: '户主', expiresOn: v, officer: 'x' }, purpose: 'LIVING', uncoveredFen: 1, description: 'x' }), 'consent.expiresOn', 'Date'),
    ].map((t) => ({ ...t, purpose: 'CHARITY_LINKAGE' })),
    // schema/monitoring-notice.graphql: the village notice's posting day and an objection's day.
    ...[
      mutation('alertNoticePost', 'notice { endsOn }', (v) => ({ alertId: '1', measures: ['MONITORING_ENROLMENT'], objectionContact: '古槐街道办事处民政办', postedOn: v }), 'postedOn', 'Date'),
      {
        ...mutation('alertNoticeObjectionRecord', 'repeated', (v) => ({ alertId: '1', kind: 'OTHER', receivedOn: v }), 'receivedOn', 'Date'),
        query: `mutation($input: AlertNoticeObjectionInput!) { alertNoticeObjectionRecord(input: $input) { repeated userErrors { code } } }`,
      },
    ].map((t) => ({ ...t, purpose: 'MONITORING' })),
    // schema/alert-delivery.graphql: the administrators' dead-letter notices from a day on.
    // schema/access.graphql: the audit trail's day windows, asked by an auditor.
    ...(['from', 'to'] as const).flatMap((arg) => [
      field(`Query.accessLog(${arg}: Date)`, 'Date', arg, `query($idn: String!, $v: Date) { accessLog(idNumber: $idn, ${arg}: $v) { edges { node { seq } } } }`, 'AUDIT', { idn: person }),
      field(`Query.householdAccessLog(${arg}: Date)`, 'Date', arg, `query($id: ID!, $v: Date) { householdAccessLog(householdId: $id, ${arg}: $v) { edges { node { seq } } } }`, 'AUDIT', { id: householdId }),
      field(`Query.clientAccessLog(${arg}: Date)`, 'Date', arg, `query($c: String!, $v: Date) { clientAccessLog(client: $c, ${arg}: $v) { edges { node { seq } } } }`, 'AUDIT', { c: 'hostile-dates-any-client' }),
      field(`Query.clientAuditLookups(${arg}: Date)`, 'Date', arg, `query($c: String!, $v: Date) { clientAuditLookups(client: $c, ${arg}: $v) { edges { node { seq } } } }`, 'AUDIT', { c: 'hostile-dates-any-client' }),
    ]),
    // schema/legal-aid.graphql: a legal-aid office's question, asked by one.
    field('Query.socialAssistanceStanding(asOf: Date)', 'Date', 'asOf', `query($idn: String!, $v: Date) { socialAssistanceStanding(idNumber: $idn, asOf: $v) { recipient } }`, 'LEGAL_AID_MEANS_CHECK', { idn: person }),
    field('Query.alertDeliveryNotices(since: Date)', 'Date', 'since', `query($v: Date) { alertDeliveryNotices(since: $v) { deliveryId } }`, 'MONITORING'),
    // schema/reported-aid.graphql: refused by range before the caller is even asked whether it reports.
    ...(['from', 'to'] as const).map((arg) =>
      field(`Query.reportedAidReconciliation(${arg}: Date)`, 'Date', arg, `query($v: Date!, $w: Date!) { reportedAidReconciliation(${arg === 'from' ? 'from: $v, to: $w' : 'from: $w, to: $v'}) { count } }`, 'DUPLICATE_CHECK', { w: '2026-01-01' }),
    ),
    ...(['grantDate', 'periodStart', 'periodEnd'] as const).map((name) => ({
      argument: `Mutation.aidReport(input.records.${name}: Date)`,
      type: 'Date' as const,
      path: `input.records.0.${name}`,
      query: `mutation($input: AidReportInput!) { aidReport(input: $input) { recorded userErrors { code } } }`,
      purpose: 'DUPLICATE_CHECK',
      variables: (v: string) => ({ input: { records: [{ reference: 'R-1', beneficiaryIdNumber: person, programme: 'WINTER_SPRING_RELIEF', amountFen: 10000, [name]: v }] } }),
    })),
  ];
}

function probes(): Probe[] {
  const out: Probe[] = [];
  for (const t of templates()) {
    for (const value of t.type === 'Date' ? BAD_DATES : BAD_INSTANTS) {
      // A six-digit year is refused by the scalar itself, before any field: no argument path then.
      out.push({ argument: t.argument, value, query: t.query, variables: t.variables(value), purpose: t.purpose, expect: 'REFUSED', path: value.startsWith('+') ? undefined : t.path });
    }
  }
  // A year written in a string (a school year) is held to the same range.
  for (const value of ['0000-0001', '1898-1899', '2099-2100', '9998-9999']) {
    out.push({
      argument: 'Query.preGrantCheck(input.schoolYear: String)',
      value,
      query: `query($input: PreGrantCheckInput!) { preGrantCheck(input: $input) { clear } }`,
      variables: { input: { beneficiaryIdNumber: WANG.child, programme: 'NATIONAL_GRANT', amountFen: 10000, grantDate: '2026-01-01', schoolYear: value } },
      purpose: 'DUPLICATE_CHECK',
      expect: 'REFUSED',
      path: 'input.schoolYear',
    });
    // A meeting's decision takes one too, held to the same range before anything else is read.
    out.push({
      argument: 'Mutation.meetingRecord(input.decisions.schoolYear: String)',
      value,
      query: `mutation($input: MeetingRecordInput!) { meetingRecord(input: $input) { userErrors { code } } }`,
      variables: { input: { caseId, heldOn: '2026-01-05', departmentsPresent: ['EDUCATION'], decisions: [{ department: 'EDUCATION', programme: 'NATIONAL_GRANT', amountFen: 10000, deadlineWorkingDays: 5, schoolYear: value }] } },
      purpose: 'CASE_MEETING',
      expect: 'REFUSED',
      path: 'input.decisions[0].schoolYear',
    });
    // So do a correction's decision and a reassignment, read before the slips they name.
    const decision = { department: 'EDUCATION', programme: 'NATIONAL_GRANT', amountFen: 10000, deadlineWorkingDays: 5, schoolYear: value };
    out.push({
      argument: 'Mutation.decisionCorrect(input.add.schoolYear: String)',
      value,
      query: `mutation($input: DecisionCorrectInput!) { decisionCorrect(input: $input) { userErrors { code } } }`,
      variables: { input: { caseId, reason: 'x', add: [decision] } },
      purpose: 'CASE_MEETING',
      expect: 'REFUSED',
      path: 'input.add[0].schoolYear',
    });
    out.push({
      argument: 'Mutation.referralReassign(input.schoolYear: String)',
      value,
      query: `mutation($input: ReferralReassignInput!) { referralReassign(input: $input) { userErrors { code } } }`,
      variables: { input: { referralId, reason: 'x', ...decision } },
      purpose: 'CASE_MEETING',
      expect: 'REFUSED',
      path: 'input.schoolYear',
    });
  }
  // The far ends of the ranges, where the old walk spent seconds: answered.
  const answered: [string, string, Record<string, unknown>, string][] = [
    [`query($v: DateTime) { overdueReport(asOf: $v) { asOf byOffice { cases { deadline { kind provisional overdue { workingDays } } } } } }`, LAST_INSTANT, {}, 'Query.overdueReport(asOf: DateTime)'],
    // Alerts listed as of the last instant are measured at its day (overdue, escalatedTo).
    [`query($v: DateTime) { overdueReport(asOf: $v) { asOf alerts { id overdue acknowledgementOverdue escalatedTo { code } provisional } alertsUnacknowledged { id acknowledgementOverdue } } }`, LAST_INSTANT, {}, 'Query.overdueReport(asOf: DateTime)'],
    [`query($v: DateTime) { overdueReport(asOf: $v) { asOf } }`, FIRST_INSTANT, {}, 'Query.overdueReport(asOf: DateTime)'],
    [`query($v: DateTime) { overdueReport(asOf: $v) { asOf byCounty { shortfalls { shortfallFen } } } }`, FIRST_INSTANT, {}, 'Query.overdueReport(asOf: DateTime)'],
    [`query($v: Date) { overdueReport(shortfallsSince: $v) { asOf byCounty { shortfalls { shortfallFen } } } }`, '1900-01-01', {}, 'Query.overdueReport(shortfallsSince: Date)'],
    [`query { overdueReport { asOf byOffice { cases { case { id } deadline { kind provisional } } } } }`, 'now', {}, 'Query.overdueReport(asOf: DateTime)'],
    [`query($id: ID!, $v: DateTime) { case(id: $id) { deadlines(asOf: $v) { kind status provisional overdue { workingDays } } anyDeadlineMissed(asOf: $v) } }`, LAST_INSTANT, { id: caseId }, 'Case.deadlines(asOf: DateTime)'],
    [`query($id: ID!, $v: DateTime) { referral(id: $id) { deadlineStatus(asOf: $v) overdue(asOf: $v) { workingDays provisional } timeLeft(asOf: $v) { workingDays } } }`, LAST_INSTANT, { id: referralId }, 'Referral.overdue(asOf: DateTime)'],
    [`query($id: ID!, $v: Date, $w: Date) { household(id: $id) { aid(from: $v, to: $w) { amountFen } aidSummary(from: $v, to: $w) { complete } } }`, '1900-01-01', { id: householdId, w: '2099-12-31' }, 'Household.aid(from: Date)'],
  ];
  for (const [query, value, variables, argument] of answered) {
    out.push({ argument, value, query, variables: { ...variables, v: value }, purpose: argument.startsWith('Household') ? 'ELIGIBILITY_REVIEW' : 'CASE_MEETING', expect: 'ANSWERED' });
  }
  // The first instant of the range, years before the case was reported and its slip issued: their
  // deadlines' clock had not started (they answered PENDING, with twenty-six years left).
  const beforeClock: [string, string, Record<string, unknown>, (data: any) => boolean][] = [
    ['Case.deadlines(asOf: DateTime)', `query($id: ID!, $v: DateTime) { case(id: $id) { deadlines(asOf: $v) { status timeLeft { hours } overdue { hours } } } }`, { id: caseId }, (d) => d.case.deadlines.length > 0 && d.case.deadlines.every((x: any) => x.status === 'NOT_STARTED' && x.timeLeft === null && x.overdue === null)],
    ['Case.anyDeadlineMissed(asOf: DateTime)', `query($id: ID!, $v: DateTime) { case(id: $id) { anyDeadlineMissed(asOf: $v) } }`, { id: caseId }, (d) => d.case.anyDeadlineMissed === false],
    ['Referral.deadlineStatus(asOf: DateTime)', `query($id: ID!, $v: DateTime) { referral(id: $id) { deadlineStatus(asOf: $v) } }`, { id: referralId }, (d) => d.referral.deadlineStatus === 'NOT_STARTED'],
    ['Referral.overdue(asOf: DateTime)', `query($id: ID!, $v: DateTime) { referral(id: $id) { overdue(asOf: $v) { workingDays } } }`, { id: referralId }, (d) => d.referral.overdue === null],
    ['Referral.timeLeft(asOf: DateTime)', `query($id: ID!, $v: DateTime) { referral(id: $id) { timeLeft(asOf: $v) { workingDays } } }`, { id: referralId }, (d) => d.referral.timeLeft === null],
  ];
  for (const [argument, query, variables, shows] of beforeClock) {
    out.push({ argument, value: FIRST_INSTANT, query, variables: { ...variables, v: FIRST_INSTANT }, purpose: 'CASE_MEETING', expect: 'NOT_STARTED', shows });
  }
  return out;
}

function judge({ probe, answer, failure }: Outcome<Probe, Answer>): string | null {
  const label = `${probe.argument} = ${probe.value}`;
  if (failure) return `${label}: ${failure}`;
  const errors = answer!.body.errors ?? [];
  if (probe.expect === 'ANSWERED' || probe.expect === 'NOT_STARTED') {
    if (errors.length > 0 || !answer!.body.data) return `${label}: expected an answer, got ${JSON.stringify(errors.map((e) => e.extensions?.code))}`;
    return probe.expect === 'ANSWERED' || probe.shows!(answer!.body.data) ? null : `${label}: expected its clock not started, got ${JSON.stringify(answer!.body.data)}`;
  }
  const refusal = errors.find((e) => e.extensions?.code === 'BAD_USER_INPUT');
  if (!refusal) return `${label}: expected BAD_USER_INPUT, got ${errors.length ? JSON.stringify(errors.map((e) => e.extensions?.code)) : 'an answer'}`;
  if (probe.path) {
    const ext = refusal.extensions!;
    if (ext.argument !== probe.path || ext.reason !== 'OUT_OF_RANGE' || !ext.min || !ext.max) return `${label}: the refusal does not name the argument and range: ${JSON.stringify(ext)}`;
  }
  return null;
}

describe('the worst date inputs of every date-taking argument, through HTTP', () => {
  it('covers every Date and DateTime argument of the schema', () => {
    const covered = new Set(probes().filter((p) => p.expect === 'REFUSED').map((p) => p.argument));
    expect(dateArguments(buildSchema()).filter((a) => !covered.has(a))).toEqual([]);
  });

  it('a case stored with a year-1 report is shown in supervision, hugely overdue and provisional', async () => {
    const res = await post(`query { overdueReport { byOffice { cases { case { id } deadline { kind provisional overdue { workingDays } } } } } }`, {}, 'CASE_MEETING');
    expect(res.body.errors).toBeUndefined();
    const legacy = res.body.data.overdueReport.byOffice.flatMap((o: { cases: { case: { id: string } }[] }) => o.cases).filter((c: { case: { id: string } }) => c.case.id === legacyCaseId);
    expect(legacy.length).toBeGreaterThan(0);
    for (const c of legacy) expect(c.deadline).toMatchObject({ provisional: true, overdue: { workingDays: expect.any(Number) } });
  });

  it('are refused (or answered), while /healthz keeps answering', async () => {
    const all = probes();
    const { outcomes, healthAnswers, healthFailures } = await inRounds(url, all, ROUND_SIZE, (probe) => post(probe.query, probe.variables, probe.purpose));
    expect(outcomes.map(judge).filter((f) => f !== null)).toEqual([]);
    expect(outcomes).toHaveLength(all.length);
    expect(healthFailures).toEqual([]);
    expect(healthAnswers).toBe(all.length);
    // And afterwards the hub serves as before.
    expect(await healthz(url)).toBe(true);
  }, 300_000);
});
