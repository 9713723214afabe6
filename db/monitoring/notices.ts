/**
 * Village notices (村内公示) in the hub database: posting one (one live notice per alert: a repeat of
 * the same posting is answered with it, a different one refused), withdrawing it, recording and
 * resolving objections, and the reads of the API and the decision gate.
 */
import { and, asc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { HubDb } from '../connect';
import type { HubQuery } from '../cases/records';
import { isDuplicateKey } from '../cases/write';
import { keyDigest } from '../idempotency-key';
import { monitoringNoticeObjection, monitoringVillageNotice } from './schema';

export type NoticeRow = typeof monitoringVillageNotice.$inferSelect;
export type NoticeWrite = Omit<NoticeRow, 'id' | 'liveAlertId' | 'withdrawnAt' | 'withdrawnBy' | 'withdrawnOffice' | 'withdrawReason'>;
export type ObjectionRow = typeof monitoringNoticeObjection.$inferSelect;
export type ObjectionWrite = Omit<ObjectionRow, 'id' | 'keySha256' | 'resolution' | 'resolutionReason' | 'resolvedBy' | 'resolvedOffice' | 'resolvedAt'>;

export type PostResult = { ok: true; notice: NoticeRow; repeated: boolean } | { ok: false; existing: NoticeRow };

/** What makes two postings the same: everything the officer gave, and who gave it. */
function samePosting(a: NoticeWrite | NoticeRow, b: NoticeWrite | NoticeRow): boolean {
  return (
    a.measures === b.measures &&
    a.objectionContact === b.objectionContact &&
    (a.objectionPhone ?? null) === (b.objectionPhone ?? null) &&
    a.postedOn === b.postedOn &&
    a.postedBy === b.postedBy &&
    a.postedOffice === b.postedOffice
  );
}

/**
 * Records a notice as posted. One live notice per alert (unique `live_alert_id`): the same posting
 * again (a retry after a lost answer, or two identical requests at once) is answered with the live
 * one, `repeated`, and writes nothing; another posting of the alert is refused with the one on
 * record. After a withdrawal the next posting is a new notice, for a new period.
 */
export async function postNotice(db: HubDb, write: NoticeWrite): Promise<PostResult> {
  const answer = (existing: NoticeRow): PostResult => (samePosting(existing, write) ? { ok: true, notice: existing, repeated: true } : { ok: false, existing });
  const live = await liveNotice(db, write.alertId);
  if (live) return answer(live);
  try {
    const [res] = await db.insert(monitoringVillageNotice).values({ ...write, liveAlertId: write.alertId });
    const [row] = await db.select().from(monitoringVillageNotice).where(eq(monitoringVillageNotice.id, res.insertId));
    return { ok: true, notice: row, repeated: false };
  } catch (error) {
    if (!isDuplicateKey(error, 'monitoring_village_notice_live')) throw error;
    const first = await liveNotice(db, write.alertId);
    if (!first) throw error;
    return answer(first);
  }
}

async function liveNotice(db: HubQuery, alertId: number): Promise<NoticeRow | null> {
  const [row] = await db.select().from(monitoringVillageNotice).where(eq(monitoringVillageNotice.liveAlertId, alertId));
  return row ?? null;
}

/** Every notice of these alerts, oldest first (a withdrawn one, then its correction). */
export async function noticesByAlertIds(db: HubQuery, ids: readonly number[]): Promise<NoticeRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(monitoringVillageNotice).where(inArray(monitoringVillageNotice.alertId, [...ids])).orderBy(asc(monitoringVillageNotice.alertId), asc(monitoringVillageNotice.id));
}

/**
 * A write carrying a reason kept beside the notice, with the reason's refusal by the screen for
 * invisible characters (`screened`, judged by the caller), applied after the repeat check: the same
 * request made before the screen existed is still answered as the repeat it is; any other is
 * refused with `screened` and writes nothing.
 */
export interface ReasonScreened<R> {
  screened?: R | null;
}

export type WithdrawResult<R = never> = { ok: true; notice: NoticeRow; repeated: boolean } | { ok: false; existing: NoticeRow } | { ok: false; screened: R };

/** Whether the notice was withdrawn by this request: the same actor, office and reason (a retry). */
function sameWithdrawal(row: NoticeRow, w: { by: string; office: string; reason: string }): boolean {
  return row.liveAlertId === null && row.withdrawnBy === w.by && row.withdrawnOffice === w.office && row.withdrawReason === w.reason;
}

/**
 * Withdraws a live notice (撤回): it stays on record, no longer live, with who, when and why. The
 * conditional update lands once; a repeat by the same actor and office with the same reason (a
 * retry) is answered with the notice as withdrawn, `repeated`, another withdrawal refused. A reason
 * the screen refused (`screened`) is answered only as such a repeat, else refused with it.
 */
export async function withdrawNotice<R = never>(db: HubDb, noticeId: number, w: { by: string; office: string; reason: string; at: string } & ReasonScreened<R>): Promise<WithdrawResult<R>> {
  const byId = async () => (await db.select().from(monitoringVillageNotice).where(eq(monitoringVillageNotice.id, noticeId)))[0];
  if (w.screened != null) {
    const row = await byId();
    return sameWithdrawal(row, w) ? { ok: true, notice: row, repeated: true } : { ok: false, screened: w.screened };
  }
  const [res] = await db
    .update(monitoringVillageNotice)
    .set({ liveAlertId: null, withdrawnAt: w.at, withdrawnBy: w.by, withdrawnOffice: w.office, withdrawReason: w.reason })
    .where(and(eq(monitoringVillageNotice.id, noticeId), isNotNull(monitoringVillageNotice.liveAlertId)));
  const row = await byId();
  if (res.affectedRows === 1) return { ok: true, notice: row, repeated: false };
  return sameWithdrawal(row, w) ? { ok: true, notice: row, repeated: true } : { ok: false, existing: row };
}

export type ObjectionResult = { ok: true; objection: ObjectionRow; repeated: boolean } | { ok: false };

/** The objection recorded under a client's key, if any (found by its digest, as recordObjection finds it). */
export async function objectionByKey(db: HubQuery, idempotencyKey: string): Promise<ObjectionRow | null> {
  const [row] = await db.select().from(monitoringNoticeObjection).where(eq(monitoringNoticeObjection.keySha256, keyDigest(idempotencyKey)));
  return row ?? null;
}

/**
 * Records an objection under the client's key (unique): the same request again (a retry, or two at
 * once) is answered with the first and records nothing; the key with another objection is refused.
 * Keys are one key only byte for byte: they are found by their digest (db/idempotency-key.ts).
 */
export async function recordObjection(db: HubDb, write: ObjectionWrite): Promise<ObjectionResult> {
  const keySha256 = keyDigest(write.idempotencyKey);
  const byKey = () => objectionByKey(db, write.idempotencyKey);
  const answer = (o: ObjectionRow): ObjectionResult => (o.noticeId === write.noticeId && o.kind === write.kind && o.receivedOn === write.receivedOn ? { ok: true, objection: o, repeated: true } : { ok: false });
  // No look-up first: the caller answers a retry it can see (resolvers/monitoring/notice.ts, by
  // objectionByKey), and the unique key settles the rest, two sent at once among them.
  try {
    const [res] = await db.insert(monitoringNoticeObjection).values({ ...write, keySha256 });
    const [row] = await db.select().from(monitoringNoticeObjection).where(eq(monitoringNoticeObjection.id, res.insertId));
    return { ok: true, objection: row, repeated: false };
  } catch (error) {
    if (!isDuplicateKey(error, 'monitoring_notice_objection_key_sha256')) throw error;
    return answer((await byKey())!);
  }
}

export type ResolveResult<R = never> = { ok: true; objection: ObjectionRow; repeated: boolean } | { ok: false; existing: ObjectionRow } | { ok: false; screened: R };

/** Whether the objection was resolved by this request: the same resolution, reason, actor and office (a retry). */
function sameResolution(row: ObjectionRow, r: { resolution: 'UPHELD' | 'DISMISSED'; reason: string; by: string; office: string }): boolean {
  return row.resolution === r.resolution && row.resolutionReason === r.reason && row.resolvedBy === r.by && row.resolvedOffice === r.office;
}

/**
 * Resolves an objection (UPHELD or DISMISSED, with the reason), once: the conditional update lands
 * for one request; the same resolution again by the same actor and office with the same reason (a
 * retry) is answered `repeated`, another refused with the resolution on record. A reason the screen
 * refused (`screened`) is answered only as such a repeat, else refused with it.
 */
export async function resolveObjection<R = never>(
  db: HubDb,
  objectionId: number,
  r: { resolution: 'UPHELD' | 'DISMISSED'; reason: string; by: string; office: string; at: string } & ReasonScreened<R>,
): Promise<ResolveResult<R>> {
  const byId = async () => (await db.select().from(monitoringNoticeObjection).where(eq(monitoringNoticeObjection.id, objectionId)))[0];
  if (r.screened != null) {
    const row = await byId();
    return sameResolution(row, r) ? { ok: true, objection: row, repeated: true } : { ok: false, screened: r.screened };
  }
  const [res] = await db
    .update(monitoringNoticeObjection)
    .set({ resolution: r.resolution, resolutionReason: r.reason, resolvedBy: r.by, resolvedOffice: r.office, resolvedAt: r.at })
    .where(and(eq(monitoringNoticeObjection.id, objectionId), isNull(monitoringNoticeObjection.resolution)));
  const row = await byId();
  if (res.affectedRows === 1) return { ok: true, objection: row, repeated: false };
  return sameResolution(row, r) ? { ok: true, objection: row, repeated: true } : { ok: false, existing: row };
}

export async function noticeAlertOf(db: HubQuery, noticeId: number): Promise<number | null> {
  const [row] = await db.select({ alertId: monitoringVillageNotice.alertId }).from(monitoringVillageNotice).where(eq(monitoringVillageNotice.id, noticeId));
  return row?.alertId ?? null;
}

export async function objectionById(db: HubQuery, id: number): Promise<ObjectionRow | null> {
  const [row] = await db.select().from(monitoringNoticeObjection).where(eq(monitoringNoticeObjection.id, id));
  return row ?? null;
}

export async function objectionsByNoticeIds(db: HubQuery, ids: readonly number[]): Promise<ObjectionRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(monitoringNoticeObjection).where(inArray(monitoringNoticeObjection.noticeId, [...ids])).orderBy(asc(monitoringNoticeObjection.receivedOn), asc(monitoringNoticeObjection.id));
}
