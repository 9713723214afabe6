/**
 * 医保's rows for test scenarios and benches (hospital settlements and the aid paid outside them),
 * under names that say what they are, in the one shape every department gives them
 * (federation/scenario-kit.ts): the rest of the code writes, reads and counts them through it, so
 * that no file outside this folder names its tables.
 */
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { health } from './adapter';
import { miAidPayment, miSettlement } from './tables';

export const healthScenario = departmentScenario({
  settlements: scenarioTable(miSettlement, (r) => sourceRefOf(health.recordKinds.miSetl, r.setlId)),
  aidPayments: scenarioTable(miAidPayment, (r) => sourceRefOf(health.recordKinds.miAidPay, r.payId)),
});
