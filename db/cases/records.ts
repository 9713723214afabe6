/**
 * Rows of the case tables as the rest of the hub sees them: instants as Date (the tables keep UTC
 * DATETIME strings), ids as numbers. Shared by the case data functions and loaders.
 */
import type { AidCause } from '../../domain/aid';
import type { IsoDate } from '../../domain/dates';
import type { DepartmentCode } from '../../domain/departments';
import type { CaseOrigin, CaseState, CaseUrgency } from '../../domain/cases/state-machine';
import type { ReferralKind, ReferralState } from '../../domain/cases/referrals';
import type { OfficeKey } from '../../domain/cases/offices';
import type { Dossier } from '../../domain/cases/dossier';
import type { CaseTimeline } from '../../domain/cases/deadlines';
import { dueCountedFrom } from '../../domain/cases/supervision';
import type { HubDb } from '../connect';
import { and, eq, gte, inArray, like, lte, sql, type SQL } from 'drizzle-orm';
import { QueryBuilder, type MySqlColumn } from 'drizzle-orm/mysql-core';
import { household } from '../household/schema';
import { fromDbInstant, fromDbInstantOrNull, toDbInstant } from '../instants';
import { aidCase, type caseEvent, type caseMeeting, referralSlip, type secondAidApproval } from './schema';

export type HubTx = Parameters<Parameters<HubDb['transaction']>[0]>[0];
export type HubQuery = HubDb | HubTx;

/**
 * A supervision period's condition: `at` (an instant column) from `from` up to `to`, of a case in the
 * division `regionPrefix` (aid_case joined, caseInRegion); null prefix, every case.
 */
export function inPeriodAndRegion(at: MySqlColumn, from: Date, to: Date, regionPrefix: string | null): SQL | undefined {
  return and(gte(at, toDbInstant(from)), lte(at, toDbInstant(to)), caseInRegion(regionPrefix));
}

/**
 * Of a case in the division whose codes start with `regionPrefix` (domain/division-code.ts
 * divisionPrefix; aid_case joined); null, every case. A case is kept by its township, a household by
 * its village: a township or wider holds the cases its townships keep, and a village (12 digits) those
 * its township keeps of the households there now, as the Case access rule places a case in its
 * household's village (access/policy.ts caseRegions). Its households are a subquery through the
 * index household_region: the statement stays one, however many cases.
 */
export function caseInRegion(regionPrefix: string | null): SQL | undefined {
  if (regionPrefix === null) return undefined;
  if (regionPrefix.length < 12) return like(aidCase.townshipCode, `${regionPrefix}%`);
  const households = new QueryBuilder().select({ id: household.id }).from(household).where(eq(household.regionCode, regionPrefix));
  return and(eq(aidCase.townshipCode, regionPrefix.slice(0, 9)), inArray(aidCase.householdId, households));
}

/**
 * The office that owned the case (aid_case joined) at the instant `at`: an instant column of the
 * row read (a decline's answer, a waiver, a correction, a first aid), or one instant for every row
 * (the report's asOf: who owns each case then). The office the first OWNER_CHANGED recorded at or
 * after it handed on (case_event.from_office), else the case's owner now. The statement's own
 * reading of domain/cases/supervision.ts ownerAt, for supervision's lists read without the case's
 * history: a correlated subquery through case_event's (case_id, seq) key, so no statement more,
 * however many rows.
 */
export function ownerWhen(at: MySqlColumn | Date): SQL<string> {
  const instant = at instanceof Date ? toDbInstant(at) : at;
  return sql<string>`COALESCE((SELECT e.from_office FROM case_event e WHERE e.case_id = ${aidCase.id} AND e.action = 'OWNER_CHANGED' AND e.recorded_at >= ${instant} ORDER BY e.recorded_at, e.seq LIMIT 1), ${aidCase.ownerOffice})`;
}

export interface CaseRecord {
  id: number;
  householdId: number;
  townshipCode: string;
  origin: CaseOrigin;
  urgency: CaseUrgency;
  state: CaseState;
  summary: string;
  firstOffice: OfficeKey;
  ownerOffice: OfficeKey;
  reportedAt: Date;
  explanation: string | null;
  endedAt: Date | null;
  /** The case of another county this one continues (caseHandOver), null for a case opened here. */
  predecessorCaseId: number | null;
}

export function caseRecord(row: typeof aidCase.$inferSelect): CaseRecord {
  return { ...row, reportedAt: fromDbInstant(row.reportedAt), endedAt: fromDbInstantOrNull(row.endedAt) };
}

export type CaseAction = (typeof caseEvent.$inferSelect)['action'];

export interface CaseEventRecord {
  id: number;
  caseId: number;
  seq: number;
  action: CaseAction;
  fromState: CaseState | null;
  toState: CaseState | null;
  referralId: number | null;
  meetingId: number | null;
  occurredAt: Date;
  recordedAt: Date;
  actor: string;
  actorOffice: OfficeKey;
  reason: string | null;
  /** OWNER_CHANGED: the office that handed the case on and the one that took it (null on other events). */
  fromOffice: OfficeKey | null;
  toOffice: OfficeKey | null;
}

export function caseEventRecord(row: typeof caseEvent.$inferSelect): CaseEventRecord {
  const { idempotencyKey: _key, ...rest } = row;
  return { ...rest, occurredAt: fromDbInstant(row.occurredAt), recordedAt: fromDbInstant(row.recordedAt) };
}

export interface ReferralRecord {
  id: number;
  caseId: number;
  /** The case's household, read with the slip (access rules and audit name it). */
  householdId: number;
  /**
   * The case's township, read with the slip: the slip is of the county where the case was opened
   * (its addressee's county, the offices that may answer it), wherever the household lives now.
   */
  townshipCode: string;
  kind: ReferralKind;
  meetingId: number | null;
  fromOffice: OfficeKey;
  toOffice: OfficeKey;
  ask: string;
  programmeCode: string | null;
  amountFen: number | null;
  beneficiaryIdNumber: string | null;
  /** The cause decided, for a decision of a programme a rule counts by cause (X5: TEMP_AID). */
  cause: AidCause | null;
  /** The hospital settlement decided aid pays towards, for a programme a rule adds up by stay (X7). */
  settlementRef: string | null;
  /** The school year decided aid is for (X6, X12 count it there), when given. */
  schoolYear: string | null;
  handOver: boolean;
  deadlineWorkingDays: number;
  issuedAt: Date;
  /**
   * The day its working days count from (domain/cases/supervision.ts dueCountedFrom): its meeting's
   * day for a decision recorded with its meeting, else the day it was issued, China time. Read with
   * the slip (slipMeetingDay): whether its due date is provisional is counted from it (referralDue).
   */
  countedFrom: IsoDate;
  dueOn: IsoDate;
  state: ReferralState;
  acceptedAt: Date | null;
  answeredAt: Date | null;
  feedback: string | null;
  declineReason: string | null;
  /** WITHDRAWN: why the case's owner withdrew it (referralWithdraw). */
  withdrawReason: string | null;
  aidSourceRef: string | null;
}

/**
 * The day a slip's meeting was held, for a decision issued in its meeting's record (the meeting recorded
 * at the instant the slip was issued); NULL for any other slip, a reassignment or a correction that
 * keeps the meeting's id included. The one test of which slips count from their meeting's day
 * (domain/cases/supervision.ts dueCountedFrom): selected with every slip read (`meetingDay`, for
 * referralRecord) and by the due-date recount (db/cases/due-recount.ts), through the meeting's primary key.
 */
export const slipMeetingDay = sql<IsoDate | null>`(SELECT DATE_FORMAT(m.held_on, '%Y-%m-%d') FROM case_meeting m WHERE m.id = ${referralSlip.meetingId} AND m.recorded_at = ${referralSlip.issuedAt})`;

export function referralRecord(row: typeof referralSlip.$inferSelect, c: Pick<CaseRecord, 'householdId' | 'townshipCode'> & { meetingDay: IsoDate | null }): ReferralRecord {
  const issuedAt = fromDbInstant(row.issuedAt);
  return { ...row, householdId: c.householdId, townshipCode: c.townshipCode, issuedAt, countedFrom: dueCountedFrom({ issuedAt, meetingDay: c.meetingDay }), acceptedAt: fromDbInstantOrNull(row.acceptedAt), answeredAt: fromDbInstantOrNull(row.answeredAt) };
}

export interface MeetingRecord {
  id: number;
  caseId: number;
  /** The case's township, read with the meeting: the county that convened it, wherever the household lives now. */
  townshipCode: string;
  heldOn: IsoDate;
  convenedBy: OfficeKey;
  notes: string | null;
  dossier: Dossier;
  recordedAt: Date;
  recordedBy: string;
}

export function meetingRecord(row: typeof caseMeeting.$inferSelect, townshipCode: string): MeetingRecord {
  const { dossierJson, ...rest } = row;
  return { ...rest, townshipCode, dossier: JSON.parse(dossierJson) as Dossier, recordedAt: fromDbInstant(row.recordedAt) };
}

export type SecondAidRecord = typeof secondAidApproval.$inferSelect;

export interface MeetingDepartmentRecord {
  meetingId: number;
  department: import('../../domain/departments').OfficeCode;
}

/** A case's state changes as the deadline rules read them; `investigatedOnReport` for a case an alert's verification opened; `kept`, its deadlines kept as counted when they stopped (db/cases/deadlines-kept.ts). */
export function caseTimeline(c: CaseRecord, events: readonly CaseEventRecord[], investigatedOnReport = false, kept?: CaseTimeline['kept']): CaseTimeline {
  return {
    kept,
    urgency: c.urgency,
    reportedAt: c.reportedAt,
    investigatedOnReport,
    // Measured by when the hub recorded each step; the officer's stated time is kept beside it.
    transitions: events.filter((e) => e.action === 'TRANSITIONED' && e.toState !== null).map((e) => ({ to: e.toState!, at: e.recordedAt, statedAt: e.occurredAt, seq: e.seq })),
    acts: events.flatMap((e) => (e.action === 'MATERIALS_COMPLETED' || e.action === 'APPROVAL_FORWARDED' ? [{ act: e.action, at: e.recordedAt, statedAt: e.occurredAt, seq: e.seq }] : [])),
  };
}
