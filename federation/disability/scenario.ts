/**
 * 残联's rows for test scenarios and benches (certificates, the subsidies paid on them and
 * rehabilitation aid), under names that say what they are, in the one shape every department gives
 * them (federation/scenario-kit.ts): the rest of the code writes, reads and counts them through it,
 * so that no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { disability } from './adapter';
import { clCertificate, clRehabAid, clSubsidy } from './tables';

export const disabilityScenario = departmentScenario({
  certificates: scenarioTable(clCertificate),
  subsidies: scenarioTable(clSubsidy, (r) => sourceRefOf(disability.recordKinds.clSubsidy, r.subId!)),
  rehabilitationAid: scenarioTable(clRehabAid, (r) => sourceRefOf(disability.recordKinds.clRehabAid, r.id!)),
});
