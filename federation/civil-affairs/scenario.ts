/**
 * 民政's rows for test scenarios (test/support/scenarios.ts): a 低保 family with its members, and
 * temporary-aid grants, written the way its system keeps them, so that no file outside this folder
 * names its tables.
 */
import type { SourceDb } from '../contract';
import { childAllowance, dibaoFamily, dibaoMember, tekunPerson, tempAidGrant } from './tables';

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

/** 特困 support (集中 or 分散供养) for persons, as the 特困 register keeps it. */
export async function insertTekun(db: SourceDb, people: (typeof tekunPerson.$inferInsert)[]): Promise<void> {
  await db.insert(tekunPerson).values(people);
}

/** 孤儿 (GE) and 事实无人抚养 allowances for children. */
export async function insertChildAllowances(db: SourceDb, rows: (typeof childAllowance.$inferInsert)[]): Promise<void> {
  await db.insert(childAllowance).values(rows);
}
