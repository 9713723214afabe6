/**
 * Small rules of the case loop, without a database: the refusal messages read as English, every
 * ID number the README shows passes its checksum, and no root field serves a purpose that none of
 * its roles may state (overdueReport once listed MONITORING, which no case role may state).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PURPOSES_BY_ROLE, ROOT_RULES } from '../../access/policy';
import { checkReferralAction, checkWithdrawal, hasFeedback, REFERRAL_STATES, type ReferralAction } from '../../domain/cases/referrals';
import { recordedSlipStanding } from '../../domain/cases/supervision';
import { checkIdNumber } from '../../domain/id-number';
import type { AidStatus } from '../../domain/aid';
import { checkFirstAidRecord, paymentProblem } from '../../domain/cases/fulfilment';
import { oneOffAid } from '../../domain/aid';
import { PROGRAMME_BY_CODE } from '../../domain/programmes';

test('a refused slip answer says what cannot be done in plain English', () => {
  const messages = REFERRAL_STATES.flatMap((state) =>
    (['ACCEPT', 'COMPLETE', 'DECLINE'] as ReferralAction[]).map((action) => checkReferralAction(state, action, { handOver: false, text: 'x' })),
  ).flatMap((c) => (c.ok ? [] : [c.message]));
  expect(messages).toContain('an ACCEPTED slip cannot be accepted');
  expect(messages).toContain('a COMPLETED slip cannot be completed');
  expect(messages).toContain('a DECLINED slip cannot be declined');
  for (const m of messages) expect(m).toMatch(/^(a [BCDFGHJ-NP-TV-Z]|an [AEIOU])\w* slip cannot be (accepted|completed|declined)$/);
});

test('only a forwarded matter still waiting is withdrawn; a withdrawn slip holds its case open no more', () => {
  const refusals = REFERRAL_STATES.map((state) => [state, checkWithdrawal({ kind: 'FORWARD', state })?.code ?? null]);
  expect(Object.fromEntries(refusals)).toEqual({ ISSUED: null, ACCEPTED: null, COMPLETED: 'REFERRAL_ILLEGAL_TRANSITION', DECLINED: 'REFERRAL_ILLEGAL_TRANSITION', SUPERSEDED: 'REFERRAL_ILLEGAL_TRANSITION', WITHDRAWN: 'REFERRAL_WITHDRAWN' });
  for (const state of REFERRAL_STATES) expect(checkWithdrawal({ kind: 'DECISION', state })?.code).toBe('DECISION_SLIP');
  expect(hasFeedback('WITHDRAWN')).toBe(true);
  // Withdrawn, it was not answered: its deadline ends unmet, VOID before its due date, MISSED after (as a superseded slip's).
  const slip = (answeredAt: string) => ({ countedFrom: '2025-10-13' as const, deadlineWorkingDays: 2, dueOn: '2025-10-15' as const, answeredAt: new Date(answeredAt), state: 'WITHDRAWN' as const });
  const asOf = new Date('2025-10-24T12:00:00+08:00');
  expect(recordedSlipStanding(slip('2025-10-14T09:00:00+08:00'), asOf).status).toBe('VOID');
  expect(recordedSlipStanding(slip('2025-10-20T09:00:00+08:00'), asOf).status).toBe('MISSED');
});

test('every ID number in the README passes its checksum', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const ids = [...readme.matchAll(/(?<![\d*])\d{17}[\dX](?![\d*])/g)].map((m) => m[0]);
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.filter((id) => !checkIdNumber(id, '2100-01-01').ok)).toEqual([]);
});

test('every purpose a root field serves may be stated by one of its roles', () => {
  const unreachable: string[] = [];
  for (const [type, fields] of Object.entries(ROOT_RULES)) {
    for (const [field, rule] of Object.entries(fields)) {
      for (const purpose of rule.purposes ?? []) {
        if (!rule.roles.some((r) => PURPOSES_BY_ROLE[r].includes(purpose))) unreachable.push(`${type}.${field}: ${purpose}`);
      }
    }
  }
  expect(unreachable).toEqual([]);
});

test('a first aid stating a cause is not backed by a record whose cause code is undocumented (AID_RECORD_CAUSE_UNRECOGNISED; it read as OTHER and matched OTHER)', () => {
  const head = '370811197504120316';
  const record = (cause: 'OTHER' | 'ILLNESS' | 'UNRECOGNISED') =>
    oneOffAid({ department: 'CIVIL_AFFAIRS', programme: 'TEMP_AID', beneficiaryIdNumber: head, grantDate: '2026-03-13', amountFen: 100_000, status: 'PAID', sourceRef: 'grant:1', cause, ...(cause === 'UNRECOGNISED' ? { sourceCauseCode: '07' } : {}) });
  const given = { programme: PROGRAMME_BY_CODE.get('TEMP_AID')!, amountFen: 100_000, beneficiaryIdNumber: head, reportedOn: '2026-03-10', cause: 'OTHER' as const, today: '2026-03-15' };
  const codes = (cause: 'OTHER' | 'ILLNESS' | 'UNRECOGNISED') => checkFirstAidRecord(given, record(cause)).map((e) => e.code);
  expect(codes('OTHER')).toEqual([]);
  expect(codes('ILLNESS')).toEqual(['AID_RECORD_CAUSE_MISMATCH']);
  expect(codes('UNRECOGNISED')).toEqual(['AID_RECORD_CAUSE_UNRECOGNISED']);
});

test('only aid paid fulfils a decision: a revoked record, one under review, and one dated or starting after today are refused', () => {
  const today = '2026-03-15';
  const problem = (status: AidStatus, dates: { grantDate?: string; periodStart?: string }) => paymentProblem({ status, grantDate: dates.grantDate ?? null, periodStart: dates.periodStart ?? null }, today)?.code ?? null;
  expect(problem('CANCELLED', { grantDate: '2026-03-13' })).toBe('AID_RECORD_CANCELLED');
  expect(problem('PENDING', { periodStart: '2026-03-01' })).toBe('AID_RECORD_NOT_YET_PAID');
  // A status code the department does not document: paid or revoked, nobody can tell.
  expect(problem('UNRECOGNISED', { grantDate: '2026-03-13' })).toBe('AID_RECORD_STATUS_UNRECOGNISED');
  expect(problem('UNRECOGNISED', { periodStart: '2026-04-01' })).toBe('AID_RECORD_STATUS_UNRECOGNISED');
  expect(problem('SCHEDULED', { grantDate: '2026-03-16' })).toBe('AID_RECORD_NOT_YET_PAID');
  // A recurring aid approved from next month has paid nothing yet.
  expect(problem('ACTIVE', { periodStart: '2026-04-01' })).toBe('AID_RECORD_NOT_YET_PAID');
  expect(problem('PAID', { grantDate: today })).toBeNull();
  expect(problem('ACTIVE', { periodStart: today })).toBeNull();
  // Paid, then stopped or paused: what was paid stands.
  expect(problem('ENDED', { periodStart: '2026-01-01' })).toBeNull();
  expect(problem('SUSPENDED', { periodStart: '2026-01-01' })).toBeNull();
});
