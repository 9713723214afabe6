/**
 * 民政's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts): 低保 families
 * with their members, 特困 spells, temporary-aid grants and child allowances, written the way its
 * system keeps them, so that no file outside this folder names its tables.
 */
import { eq } from 'drizzle-orm';
import { sourceRefOf } from '../../domain/aid';
import { insertInChunks, type SourceDb } from '../contract';
import { civilAffairs } from './adapter';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { childAllowance, dcMonitorRoll, dibaoFamily, dibaoMember, tekunPerson, tempAidGrant } from './tables';

export type DibaoFamilyRow = typeof dibaoFamily.$inferInsert;
export type DibaoMemberRow = typeof dibaoMember.$inferInsert;

/** 低保 families and their members' shares, in multi-row statements. */
export async function insertDibao(db: SourceDb, families: DibaoFamilyRow[], members: DibaoMemberRow[]): Promise<void> {
  await insertInChunks(db, dibaoFamily, families);
  await insertInChunks(db, dibaoMember, members);
}

/** Temporary-aid grants; returns each grant's reference as the adapter reports it (ids are consecutive in one statement). */
export async function insertTemporaryAid(db: SourceDb, grants: (typeof tempAidGrant.$inferInsert)[]): Promise<string[]> {
  const [res] = await db.insert(tempAidGrant).values(grants);
  return grants.map((g, i) => sourceRefOf(civilAffairs.recordKinds.tempAidGrant, g.grantId ?? res.insertId + i));
}

export async function insertTekun(db: SourceDb, spells: (typeof tekunPerson.$inferInsert)[]): Promise<void> {
  await db.insert(tekunPerson).values(spells);
}

/** 孤儿 (GE) or 事实无人抚养 (SW) allowances. */
export async function insertChildAllowances(db: SourceDb, allowances: (typeof childAllowance.$inferInsert)[]): Promise<void> {
  await db.insert(childAllowance).values(allowances);
}

/** Ends a person's 特困 spells on a day, as the department would when support stops. */
export async function endTekun(db: SourceDb, idNo: string, endOn: string): Promise<void> {
  await db.update(tekunPerson).set({ endOn }).where(eq(tekunPerson.idNo, idNo));
}

/** 民政's tables under the names the rest of the code uses (federation/scenario-kit.ts). */
export const civilAffairsScenario = departmentScenario({
  dibaoFamilies: scenarioTable(dibaoFamily),
  dibaoMembers: scenarioTable(dibaoMember, (r) => sourceRefOf(civilAffairs.recordKinds.dibaoMember, `${r.familyNo}/${r.idNo}/${r.joinedOn}`)),
  tekun: scenarioTable(tekunPerson, (r) => sourceRefOf(civilAffairs.recordKinds.tekunPerson, r.tkId!)),
  temporaryAid: scenarioTable(tempAidGrant, (r) => sourceRefOf(civilAffairs.recordKinds.tempAidGrant, r.grantId!)),
  childAllowances: scenarioTable(childAllowance, (r) => sourceRefOf(civilAffairs.recordKinds.childAllowance, r.id!)),
  monitoredRoll: scenarioTable(dcMonitorRoll, (r) => sourceRefOf(civilAffairs.recordKinds.monitorRoll, r.jcId!)),
});
