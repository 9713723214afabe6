/**
 * 教育's rows for test scenarios and benches (students and the funding paid to them), under names
 * that say what they are, in the one shape every department gives them (federation/scenario-
 * kit.ts): the rest of the code writes, reads and counts them through it, so that no file outside
 * this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { education } from './adapter';
import { xsFunding, xsStudent } from './tables';

export const educationScenario = departmentScenario({
  students: scenarioTable(xsStudent),
  funding: scenarioTable(xsFunding, (r) => sourceRefOf(education.recordKinds.xsFunding, r.fundingId!)),
});
