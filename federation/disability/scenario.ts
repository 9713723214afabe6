/**
 * 残联's rows for test scenarios (test/support/scenarios.ts): certificates and the subsidies paid
 * on them, so that no file outside this folder names its tables.
 */
import type { SourceDb } from '../contract';
import { clCertificate, clSubsidy } from './tables';

export type CertificateRow = typeof clCertificate.$inferInsert;
export type SubsidyRow = typeof clSubsidy.$inferInsert;

const CHUNK = 1000;

/** Certificates and their living (SH) or nursing (HL) subsidies, in multi-row statements. */
export async function insertCertificates(db: SourceDb, certificates: CertificateRow[], subsidies: SubsidyRow[]): Promise<void> {
  for (let i = 0; i < certificates.length; i += CHUNK) await db.insert(clCertificate).values(certificates.slice(i, i + CHUNK));
  for (let i = 0; i < subsidies.length; i += CHUNK) await db.insert(clSubsidy).values(subsidies.slice(i, i + CHUNK));
}
