/**
 * 民政's rows for test scenarios and benches (低保 families and their members, 特困 spells, temporary-aid
 * grants, child allowances and the monitored roll), under names that say what they are, in the one
 * shape every department gives them (federation/scenario-kit.ts): the rest of the code writes,
 * reads and counts them through it, so that no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { civilAffairs } from './adapter';
import { childAllowance, dcMonitorRoll, dibaoFamily, dibaoMember, tekunPerson, tempAidGrant } from './tables';

export const civilAffairsScenario = departmentScenario({
  dibaoFamilies: scenarioTable(dibaoFamily),
  dibaoMembers: scenarioTable(dibaoMember, (r) => sourceRefOf(civilAffairs.recordKinds.dibaoMember, `${r.familyNo}/${r.idNo}/${r.joinedOn}`)),
  tekun: scenarioTable(tekunPerson, (r) => sourceRefOf(civilAffairs.recordKinds.tekunPerson, r.tkId!)),
  temporaryAid: scenarioTable(tempAidGrant, (r) => sourceRefOf(civilAffairs.recordKinds.tempAidGrant, r.grantId!)),
  childAllowances: scenarioTable(childAllowance, (r) => sourceRefOf(civilAffairs.recordKinds.childAllowance, r.id!)),
  monitoredRoll: scenarioTable(dcMonitorRoll, (r) => sourceRefOf(civilAffairs.recordKinds.monitorRoll, r.jcId!)),
});
