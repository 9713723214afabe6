/**
 * 民政's rows for test scenarios (test/support/scenarios.ts): a 低保 family with its members, and
 * temporary-aid grants, written the way its system keeps them, so that no file outside this folder
 * names its tables.
 */
import type { SourceDb } from '../contract';
import { dibaoFamily, dibaoMember, tempAidGrant } from './tables';

export type DibaoFamilyRow = typeof dibaoFamily.$inferInsert;
export type DibaoMemberRow = typeof dibaoMember.$inferInsert;

const CHUNK = 1000;

/** 低保 families and their members' shares, in multi-row statements. */
export async function insertDibao(db: SourceDb, families: DibaoFamilyRow[], members: DibaoMemberRow[]): Promise<void> {
  for (let i = 0; i < families.length; i += CHUNK) await db.insert(dibaoFamily).values(families.slice(i, i + CHUNK));
  for (let i = 0; i < members.length; i += CHUNK) await db.insert(dibaoMember).values(members.slice(i, i + CHUNK));
}

export async function insertTemporaryAid(db: SourceDb, grants: (typeof tempAidGrant.$inferInsert)[]): Promise<void> {
  await db.insert(tempAidGrant).values(grants);
}
