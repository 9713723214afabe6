/**
 * A signed checkpoint file in a folder of its own, for the tests of `audit:verify` against it
 * (test/audit-checkpoints for the access chain, test/cases-seals for the case records' seals): a
 * fresh Ed25519 key pair, the file's path for a hub to write, the file read back with the public
 * key, and `audit:verify` run against it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKeyFiles, parseKey, readCheckpointFile } from '../../access/checkpoints';
import type { AccessDb } from '../../db/access/db';
import { auditVerifyCommand } from '../../tools/audit-verify';

export interface CheckpointBed {
  dir: string;
  /** The checkpoint file a hub given `hubOptions` writes. */
  file: string;
  publicKeyFile: string;
  signingKey: ReturnType<typeof parseKey>;
  /** A test hub's `auditCheckpoints`: this file, this key, a checkpoint every `everyRows` rows (and at shutdown). */
  hubOptions(everyRows: number): { file: string; signingKey: ReturnType<typeof parseKey>; everyRows: number; everyMs: number };
  /** The file as audit:verify reads it, with the public key. */
  read(): ReturnType<typeof readCheckpointFile>;
  /** `audit:verify --checkpoints FILE --public-key KEY` (or `args` in their place), its exit code and lines. */
  verify(db: AccessDb, args?: string[]): Promise<{ code: number; out: string[] }>;
  remove(): void;
}

export function checkpointBed(prefix: string): CheckpointBed {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const file = path.join(dir, 'audit-checkpoints.jsonl');
  const publicKeyFile = path.join(dir, 'verify.pem');
  const privateKeyFile = path.join(dir, 'signing.pem');
  generateSigningKeyFiles(privateKeyFile, publicKeyFile);
  const signingKey = parseKey(fs.readFileSync(privateKeyFile, 'utf8'));
  return {
    dir,
    file,
    publicKeyFile,
    signingKey,
    hubOptions: (everyRows) => ({ file, signingKey, everyRows, everyMs: 3_600_000 }),
    read: () => readCheckpointFile(file, parseKey(fs.readFileSync(publicKeyFile, 'utf8'))),
    async verify(db, args = ['--checkpoints', file, '--public-key', publicKeyFile]) {
      const out: string[] = [];
      const code = await auditVerifyCommand(args, db, (l) => out.push(l));
      return { code, out };
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
