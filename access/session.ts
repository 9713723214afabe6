/**
 * What one GraphQL request knows about access: who asks and why (from the HTTP layer), the view it
 * has of each personal object it reached, and every data subject it touched, for the audit row.
 */
import type { GraphQLError } from 'graphql';
import { badInput, expectedError } from './errors';
import { officerHoldsIdNumber, officerRefusal } from './officer';
import { firstChars, longerThan } from '../domain/text-length';
import type { Caller, FieldDecision, Refusal, RequestAccess, View } from './decide';
import type { AuditSubject, Purpose } from './policy';

export interface SubjectAccess {
  subject: AuditSubject;
  /** True when the subject was refused (out of scope, or the call itself refused). */
  denied: boolean;
  /** What the answer told of the subject, where its field writes it down (`disclose`); else absent. */
  disclosed?: string;
}

function subjectKey(s: AuditSubject): string {
  if (s.kind === 'CLIENT') return `C:${JSON.stringify([s.name, s.read, s.officer])}`;
  return s.kind === 'PERSON' ? `P:${s.idNumber}` : `H:${s.householdId}`;
}

/** access_log.disclosed's width, in characters. */
export const DISCLOSED_MAX = 255;

function cutText(text: string, max: number): string {
  return longerThan(text, max) ? `${firstChars(text, max - 1)}…` : text;
}

export class AccessSession {
  readonly caller: Caller | null;
  readonly purpose: Purpose | null;
  readonly caseReference: string | null;
  readonly officer: string | null;
  readonly requestId: string;
  /** The view of each personal object reached so far (a promise while it is being worked out). */
  readonly views = new WeakMap<object, View | Promise<View>>();
  readonly subjects = new Map<string, SubjectAccess>();
  /**
   * Decisions that hold for the whole request, made by access/enforce.ts the first time a field
   * needs them: each read rule's refusal (or null) by the slot of what it guards, and how a field
   * of each visibility shows in each view (refusals, which name their field, are not kept).
   */
  readonly readDecisions: (Refusal | null)[] = [];
  readonly fieldDecisions: FieldDecision[] = [];

  constructor(access: RequestAccess | null) {
    this.caller = access?.caller ?? null;
    this.purpose = access?.purpose ?? null;
    this.caseReference = access?.caseReference ?? null;
    this.officer = access?.officer ?? null;
    this.requestId = access?.requestId ?? 'unauthenticated';
  }

  /**
   * The officer a write records: the one its input names, else the one the request names
   * (X-Officer), else '' (the client alone). So a department system that names its officer once,
   * in the header, finds them in the case's, alert's or finding's history as in the audit trail.
   * The one its input names (at `argument`) is held to X-Officer's refusal of an ID number
   * (BAD_USER_INPUT, OFFICER_ID_NUMBER, never echoed): kept beside the client in a history every
   * reader sees (the supervision office, which sees ID numbers masked, among them), it was shown in
   * clear (`demo-civil-affairs/370826198311270591`).
   */
  officerOr(given: string | null | undefined, argument: string): string {
    const officer = given?.trim();
    if (officer && officerHoldsIdNumber(officer)) throw badInput(argument, 'OFFICER_ID_NUMBER', `${argument}: ${officerRefusal('ID_NUMBER', false)!.message}`);
    return officer || (this.officer ?? '');
  }

  /**
   * The view the policy gave an object a field is being read on (NONE for one it gave none): for a
   * field shown in both views whose resolver words its answer for the view (PreGrantFinding.explanation,
   * the rule alone in the LIMITED view, as aidReport's conflicts say it outside the caller's region).
   */
  async viewGiven(obj: object): Promise<View> {
    return (await this.views.get(obj)) ?? 'NONE';
  }

  /**
   * Writes down what an answer tells of a subject already recorded, for its audit row
   * (access_log.disclosed): a field whose whole answer is one short verdict about one person
   * (socialAssistanceStanding) says what it gave out, so the trail shows it to the person and an
   * auditor. Different answers about the same subject in one request (aliases asking of other days)
   * are joined with `; `, cut to the column's width (DISCLOSED_MAX) with `…`.
   */
  disclose(subject: AuditSubject, text: string): void {
    const seen = this.subjects.get(subjectKey(subject));
    if (!seen) throw new Error('disclose: the subject was not recorded by the access policy');
    if (seen.disclosed === undefined) seen.disclosed = text;
    else if (!seen.disclosed.split('; ').includes(text)) seen.disclosed = cutText(`${seen.disclosed}; ${text}`, DISCLOSED_MAX);
  }

  /** Records subjects; a subject refused once stays refused for this request's audit row. */
  record(subjects: readonly AuditSubject[], denied: boolean): void {
    for (const subject of subjects) {
      const key = subjectKey(subject);
      const seen = this.subjects.get(key);
      if (seen) seen.denied ||= denied;
      else this.subjects.set(key, { subject, denied });
    }
  }
}

export function forbidden(refusal: Refusal): GraphQLError {
  return expectedError(refusal.message, { extensions: { code: 'FORBIDDEN', reason: refusal.reason } });
}

export function unauthenticated(): GraphQLError {
  return expectedError('This request carries no valid access token', { extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_MISSING' } });
}
