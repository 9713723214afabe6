/**
 * What a parent resolver hands its child resolvers where no single row or domain type is the whole
 * of it: a row type with what the request added, a page whose total is counted only when asked.
 * codegen.ts maps the schema's types to these and to the row and domain types themselves, so each
 * resolver's parent is typed as the object its parent resolver really returns.
 */
import type { AuditRow } from '../access/audit';
import type { CaseRecord, ReferralRecord } from '../db/cases/records';
import type { FindingView } from '../db/findings/store';
import type { HouseholdRow } from '../db/household/loaders';
import type { AidSummary } from '../domain/household/aid-summary';
import type { Dossier } from '../domain/cases/dossier';
import type { OverdueReport } from '../domain/cases/supervision';
import type { DepartmentCode } from '../domain/departments';
import type { CaseUserError } from '../domain/cases/errors';

export interface PageInfoData {
  hasNextPage: boolean;
  hasPreviousPage: false;
  startCursor: string | null;
  endCursor: string | null;
}

/** A page of edges; `totalCount`, where the schema has it, runs its statement only if selected. */
export interface Page<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfoData;
}

export type CountedPage<Node> = Page<Node> & { totalCount: () => Promise<number> };

export type HouseholdPage = CountedPage<HouseholdRow>;
export type FindingPage = CountedPage<FindingView>;
export type AuditPage = Page<AuditRow>;

/** A household's aid totals, and whether every department answered. */
export type HouseholdAidSummary = AidSummary & { complete: boolean };
export type DepartmentAidTotal = AidSummary['byDepartment'][number];

/** A client as the audit row recorded it. */
export interface AuditedClient {
  name: string;
  department: DepartmentCode;
  regionScope: string;
}

export type DossierHousehold = Dossier['household'];
export type CaseOverdueReport = OverdueReport<ReferralRecord, CaseRecord>;
export type OfficeOverdueWork = CaseOverdueReport['byOffice'][number];
export type TownshipOverdueWork = CaseOverdueReport['byTownship'][number];

/** A conflict a reported record causes: the pre-grant check's finding and the record's index. */
export interface ReportedAidConflict {
  index: number;
  finding: import('../domain/findings/facts').Finding;
  /** The record's beneficiary: whether the caller's region holds them decides what the explanation says. */
  beneficiaryIdNumber: string;
}
/** A standing ledger entry beyond the term (reportedAidBeyondTerm), with the beneficiary's division as access/policy.ts reads it. */
export interface LedgerEntryBeyondTerm {
  row: import('../db/reported-aid/schema').ReportedAidRow;
  beyond: import('../domain/reported-aid/beyond-term').PeriodBeyondTerm;
  regionCode: string | null;
}
export type LedgerBeyondTermPage = Page<LedgerEntryBeyondTerm>;
export type CountyOverdueWork = CaseOverdueReport['byCounty'][number];
export type CaseLate = CountyOverdueWork['casesLate'][number];
export type CaseForwarded = CountyOverdueWork['forwardedForApproval'][number];
export type DeclineOpen = CountyOverdueWork['declinesOpen'][number];
export type ReferralWithdrawn = CountyOverdueWork['withdrawn'][number];

/** A case move's payload (caseTransition, caseFirstAid, caseMaterialsComplete): `replayed` as a referral write's. */
export interface CaseWritePayload {
  case?: CaseRecord | null;
  userErrors: CaseUserError[];
  replayed?: boolean;
}

/** caseHandOver's payload: the case handed over and its successor in the household's county. */
export interface CaseHandOverWritePayload extends CaseWritePayload {
  successorReference?: string | null;
}

/** Where an open case's household lives now, outside the case's county (Case.householdMoved). */
export interface CaseHouseholdMove {
  countyCode: string;
  regionCode: string;
}

/** A referral write's payload: `replayed` is set by a write answered as a retry, and false when absent (a refusal). */
export interface ReferralWritePayload {
  referral?: ReferralRecord | null;
  case?: CaseRecord | null;
  userErrors: CaseUserError[];
  replayed?: boolean;
}
