/**
 * Village notices (村内公示) in the hub database: posting one (once per alert: a repeat of the same
 * posting is answered with it, a different one refused) and the reads of the API and the decision
 * gate.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { HubDb } from '../connect';
import type { HubQuery } from '../cases/records';
import { isDuplicateKey } from '../cases/write';
import { monitoringNoticeObjection, monitoringVillageNotice } from './schema';

export type NoticeRow = typeof monitoringVillageNotice.$inferSelect;
export type NoticeWrite = Omit<NoticeRow, 'id'>;
export type ObjectionRow = typeof monitoringNoticeObjection.$inferSelect;
export type ObjectionWrite = Omit<ObjectionRow, 'id'>;

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
 * Records a notice as posted. One per alert (unique index): the same posting again (a retry after a
 * lost answer, or two identical requests at once) is answered with the first, `repeated`, and
 * writes nothing; another posting of the same alert is refused with the one on record.
 */
export async function postNotice(db: HubDb, write: NoticeWrite): Promise<PostResult> {
  const answer = (existing: NoticeRow): PostResult => (samePosting(existing, write) ? { ok: true, notice: existing, repeated: true } : { ok: false, existing });
  const [earlier] = await noticesByAlertIds(db, [write.alertId]);
  if (earlier) return answer(earlier);
  try {
    const [res] = await db.insert(monitoringVillageNotice).values(write);
    const [row] = await db.select().from(monitoringVillageNotice).where(eq(monitoringVillageNotice.id, res.insertId));
    return { ok: true, notice: row, repeated: false };
  } catch (error) {
    if (!isDuplicateKey(error, 'monitoring_village_notice_alert')) throw error;
    const [first] = await noticesByAlertIds(db, [write.alertId]);
    return answer(first);
  }
}

export async function noticesByAlertIds(db: HubQuery, ids: readonly number[]): Promise<NoticeRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(monitoringVillageNotice).where(inArray(monitoringVillageNotice.alertId, [...ids]));
}

/** The notice posted for a case's alert, read inside the deciding transaction (the case row is locked). */
export async function noticeOfCase(db: HubQuery, caseId: number): Promise<NoticeRow | null> {
  const [row] = await db.select().from(monitoringVillageNotice).where(eq(monitoringVillageNotice.caseId, caseId)).limit(1);
  return row ?? null;
}

export type ObjectionResult = { ok: true; objection: ObjectionRow; repeated: boolean } | { ok: false };

/**
 * Records an objection under the client's key (unique): the same request again (a retry, or two at
 * once) is answered with the first and records nothing; the key with another objection is refused.
 */
export async function recordObjection(db: HubDb, write: ObjectionWrite): Promise<ObjectionResult> {
  const byKey = async () => (await db.select().from(monitoringNoticeObjection).where(eq(monitoringNoticeObjection.idempotencyKey, write.idempotencyKey)))[0];
  const answer = (o: ObjectionRow): ObjectionResult => (o.noticeId === write.noticeId && o.kind === write.kind && o.receivedOn === write.receivedOn ? { ok: true, objection: o, repeated: true } : { ok: false });
  const earlier = await byKey();
  if (earlier) return answer(earlier);
  try {
    const [res] = await db.insert(monitoringNoticeObjection).values(write);
    const [row] = await db.select().from(monitoringNoticeObjection).where(eq(monitoringNoticeObjection.id, res.insertId));
    return { ok: true, objection: row, repeated: false };
  } catch (error) {
    if (!isDuplicateKey(error, 'monitoring_notice_objection_key')) throw error;
    return answer((await byKey())!);
  }
}

export async function objectionsByNoticeIds(db: HubQuery, ids: readonly number[]): Promise<ObjectionRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(monitoringNoticeObjection).where(inArray(monitoringNoticeObjection.noticeId, [...ids])).orderBy(asc(monitoringNoticeObjection.receivedOn), asc(monitoringNoticeObjection.id));
}
