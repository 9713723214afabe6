/**
 * 残联's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts):
 * certificates and the subsidies paid on them, so that no file outside this folder names its
 * tables.
 */
import { insertInChunks, type SourceDb } from '../contract';
import { sourceRefOf } from '../../domain/aid';
import { departmentScenario, scenarioTable } from '../scenario-kit';
import { disability } from './adapter';
import { clCertificate, clRehabAid, clSubsidy } from './tables';

export type CertificateRow = typeof clCertificate.$inferInsert;
export type SubsidyRow = typeof clSubsidy.$inferInsert;

/** Certificates and their living (SH) or nursing (HL) subsidies, in multi-row statements. */
export async function insertCertificates(db: SourceDb, certificates: CertificateRow[], subsidies: SubsidyRow[]): Promise<void> {
  await insertInChunks(db, clCertificate, certificates);
  await insertInChunks(db, clSubsidy, subsidies);
}

/** 残联's tables under the names the rest of the code uses (federation/scenario-kit.ts). */
export const disabilityScenario = departmentScenario({
  certificates: scenarioTable(clCertificate),
  subsidies: scenarioTable(clSubsidy, (r) => sourceRefOf(disability.recordKinds.clSubsidy, r.subId!)),
  rehabilitationAid: scenarioTable(clRehabAid, (r) => sourceRefOf(disability.recordKinds.clRehabAid, r.id!)),
});
