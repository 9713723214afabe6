/**
 * 残联's rows for test scenarios (test/support/scenarios.ts, test/findings-scenario.ts):
 * certificates and the subsidies paid on them, so that no file outside this folder names its
 * tables.
 */
import { insertInChunks, type SourceDb } from '../contract';
import { clCertificate, clSubsidy } from './tables';

export type CertificateRow = typeof clCertificate.$inferInsert;
export type SubsidyRow = typeof clSubsidy.$inferInsert;

/** Certificates and their living (SH) or nursing (HL) subsidies, in multi-row statements. */
export async function insertCertificates(db: SourceDb, certificates: CertificateRow[], subsidies: SubsidyRow[]): Promise<void> {
  await insertInChunks(db, clCertificate, certificates);
  await insertInChunks(db, clSubsidy, subsidies);
}
