/**
 * Walks the audit trail's hash chain and names the first row that was changed, removed or
 * inserted, and, given the signed checkpoint file, the first row rewritten with its hashes
 * recomputed, or the rows cut from the end.
 *
 *   npm run audit:verify                       # exit 0: intact (prints the head); 1: broken; 2: usage or evidence unusable (an anchor the signed checkpoints contradict, the chain otherwise intact); 3: not checked (the hub database did not answer)
 *   npm run audit:verify -- --checkpoints FILE --public-key PEM
 *   npm run audit:verify -- --checkpoints A.jsonl --checkpoints B.jsonl …   # one file per replica (or A,B)
 *   npm run audit:verify -- --anchor SEQ:HASH  # also: the chain still holds a head printed earlier
 *
 * A hash chain alone shows edits by anyone who does not recompute the hashes after; someone with
 * write access to the database could rewrite the whole chain. The hub therefore writes row hashes
 * and Ed25519-signed checkpoints to a file outside the database (access/checkpoints.ts); an
 * auditor checks the chain against that file with the public key. Without --checkpoints the file
 * is AUDIT_CHECKPOINT_FILE or, for the private server `npm start` runs, its audit-checkpoints.jsonl
 * beside the server's data (.data/ by default; AIDHUB_DATA_DIR), when present; the key is
 * --public-key, AUDIT_VERIFY_KEY_FILE, the public half of AUDIT_SIGNING_KEY(_FILE), or the private
 * server's audit-verify-key.pem beside its data.
 *
 * The database is DATABASE_URL, or the private server `npm start` is running.
 */
import fs from 'node:fs';
import type crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { verifyChain, type ChainVerdict } from '../access/audit';
import { parseKey, privateServerAuditFiles, readCheckpointFile, type Checkpoint, type ExternalRecord } from '../access/checkpoints';
import { hubDbOf, type AccessDb } from '../db/access/db';
import { describeCaseSeals, verifyCaseSeals } from '../db/cases/seals';
import { configErrorLine } from '../db/config';
import { runAgainstHub } from './run-against-hub';
import { userPath } from '../domain/user-path';
import { usageErrorLine, type Print } from './command-args';

export const USAGE = `usage: npm run audit:verify [-- --anchor SEQ:HASH] [--checkpoints FILE[,FILE…] … --public-key PEM]
  Walks the audit trail's hash chain of the hub database (DATABASE_URL, or the private server a
  running \`npm start\` uses) and names the first changed, removed or inserted row; then checks
  every case record against its seal and names each one changed, deleted or present unsealed.
  --anchor SEQ:HASH   also check that the chain still holds a head printed by an earlier run
  --checkpoints FILE  a signed checkpoint file (AUDIT_CHECKPOINT_FILE; the demo's under .data/);
                      several (one per hub replica): repeat the option or separate them by commas,
                      and the chain is checked against all of them at once
  --public-key PEM    the key their signatures are checked with (AUDIT_VERIFY_KEY_FILE); refused
                      when there is no checkpoint file to check
Exit code: 0 intact, 1 broken, 2 bad arguments (among them an --anchor the signed checkpoints contradict, the chain otherwise intact),
3 not checked: the hub database did not answer (or failed a read).`;

/** The verdict's lines: the most serious finding first, then each further one that holds (`also at row …`). */
export function describeVerdict(v: ChainVerdict): string[] {
  if (v.ok) return [`audit chain intact: ${v.rows} rows; head ${v.head.seq}:${v.head.hash}`];
  // The signed checkpoints vouch for the row: the anchor given is wrong, not the chain.
  if (v.problem === 'ANCHOR_CONTRADICTED') return [`--anchor disagrees with the signed checkpoints at row ${v.seq} (${v.problem}): ${v.message}`];
  return [
    `audit chain BROKEN at row ${v.seq} (${v.problem}): ${v.message}; ${v.rowsChecked} rows before it are intact`,
    ...(v.also ?? []).map((f) => `also at row ${f.seq} (${f.problem}): ${f.message}`),
  ];
}

function firstExisting(...paths: (string | undefined)[]): string | null {
  return paths.find((p): p is string => !!p && fs.existsSync(p)) ?? null;
}

/**
 * Where to look when the options do not say: the environment, and (`privateServerFiles`) the files
 * a hub on its private server keeps beside the server's data (access/checkpoints.ts
 * privateServerAuditFiles). Only the command line uses them; a caller of auditVerifyCommand passes
 * them explicitly.
 */
export interface VerifyDefaults {
  env: NodeJS.ProcessEnv;
  privateServerFiles: boolean;
}

const NO_DEFAULTS: VerifyDefaults = { env: {}, privateServerFiles: false };

function verifyKey(explicit: string | undefined, { env, privateServerFiles }: VerifyDefaults): crypto.KeyObject | null {
  // Relative paths, given or from the environment, from where the command was typed (domain/user-path.ts).
  if (explicit) return parseKey(fs.readFileSync(userPath(explicit, env), 'utf8'));
  if (env.AUDIT_VERIFY_KEY_FILE) return parseKey(fs.readFileSync(userPath(env.AUDIT_VERIFY_KEY_FILE, env), 'utf8'));
  if (env.AUDIT_SIGNING_KEY) return parseKey(env.AUDIT_SIGNING_KEY);
  if (env.AUDIT_SIGNING_KEY_FILE) return parseKey(fs.readFileSync(userPath(env.AUDIT_SIGNING_KEY_FILE, env), 'utf8'));
  const demo = privateServerFiles ? firstExisting(privateServerAuditFiles(env).verifyKey) : null;
  return demo ? parseKey(fs.readFileSync(demo, 'utf8')) : null;
}

const OPTIONS = { anchor: { type: 'string' }, checkpoints: { type: 'string', multiple: true }, 'public-key': { type: 'string' } } as const;

/** The first and last row a file records (hashes or signed checkpoints), for saying what it vouches for. */
function rowsRange(record: ExternalRecord): string {
  const seqs = [...record.rowHashes.keys(), ...record.checkpoints.map((c) => c.seq)];
  if (seqs.length === 0) return 'no rows';
  let lo = Infinity;
  let hi = 0;
  for (const s of seqs) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  return lo === hi ? `row ${lo}` : `rows ${lo}..${hi}`;
}

/** What a file vouches for, and the lines a crash cut mid-write, which record nothing (say, the rows of one transaction). */
function describeFile(file: string, record: ExternalRecord, cutLines: readonly number[]): string {
  const last = record.checkpoints.at(-1);
  const cut = cutLines.length === 0 ? '' : `; ${cutLines.length === 1 ? 'line' : 'lines'} ${cutLines.join(', ')} cut mid-write (a crash), recording nothing`;
  return `${file}: ${record.checkpoints.length} signed checkpoints${last ? ` (last: row ${last.seq} at ${last.at})` : ''}, ${record.rowHashes.size} row hashes (${rowsRange(record)})${cut}`;
}

/**
 * One record of several replicas' files: each replica records the hashes of the rows it appended
 * and checkpoints of the chain head, so together they cover the chain. Two files recording
 * different hashes for one row cannot both be the hub's: the evidence is unusable, both named.
 */
function mergeRecords(read: { file: string; record: ExternalRecord }[]): { ok: true; record: ExternalRecord } | { ok: false; message: string } {
  const rowHashes = new Map<number, string>();
  const by = new Map<number, string>();
  const checkpoints: ExternalRecord['checkpoints'] = [];
  const caseCheckpoints: Checkpoint[] = [];
  for (const { file, record } of read) {
    const hashes: [number, string][] = [...record.rowHashes, ...record.checkpoints.map((c): [number, string] => [c.seq, c.hash])];
    for (const [seq, hash] of hashes) {
      const known = rowHashes.get(seq);
      if (known !== undefined && known !== hash) {
        return { ok: false, message: `${by.get(seq)} and ${file} record different hashes for row ${seq}: one of them was altered, or they belong to different hub databases` };
      }
      rowHashes.set(seq, hash);
      if (!by.has(seq)) by.set(seq, file);
    }
    checkpoints.push(...record.checkpoints);
    for (const c of record.caseCheckpoints ?? []) {
      const other = caseCheckpoints.find((k) => k.seq === c.seq && k.hash !== c.hash);
      if (other) return { ok: false, message: `two files sign different hashes for case seal ${c.seq} (${file} among them): one of them was altered, or they belong to different hub databases` };
      caseCheckpoints.push(c);
    }
  }
  checkpoints.sort((a, b) => a.seq - b.seq);
  return { ok: true, record: { rowHashes, checkpoints, caseCheckpoints } };
}

/** Why a file could not be read: its system error code (ENOENT, EISDIR, EACCES, ERR_OSSL_…), else the message. */
function unreadable(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/** What the arguments ask for, judged (judgeVerify): the usage, a refusal (its line), or a walk of the chain with what it is checked against. */
type Judged = { kind: 'help' } | { kind: 'refused'; line: string } | { kind: 'verify'; anchor?: { seq: number; hash: string }; files: string[]; key: crypto.KeyObject | null };

const refused = (code: string, message: string): Judged => ({ kind: 'refused', line: configErrorLine({ code, message }) });

/**
 * The arguments judged, and the key and checkpoint files they name found, all before the hub
 * database is looked for (runAgainstHub's judge) as well as by auditVerifyCommand: with no hub to
 * find, `--anchor x` and a --checkpoints file that is not there were answered DATABASE_REQUIRED.
 */
function judgeVerify(argv: string[], defaults: VerifyDefaults): Judged {
  let values: { anchor?: string; checkpoints?: string[]; 'public-key'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { ...OPTIONS, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (err) {
    return { kind: 'refused', line: `${usageErrorLine(err as Error)}\n${USAGE}` };
  }
  if (values.help) return { kind: 'help' };
  let anchor: { seq: number; hash: string } | undefined;
  if (values.anchor) {
    const m = /^(\d+):([0-9a-f]{64})$/.exec(values.anchor);
    if (!m) return refused('MALFORMED_ANCHOR', '--anchor takes SEQ:HASH as printed by an earlier run');
    // The chain's rows are numbered from 1: an anchor at 0 named no row, and was answered BROKEN
    // (ANCHOR_MISMATCH) with every row intact; one past what a number holds exactly names no row either.
    const seq = Number(m[1]);
    if (seq < 1 || !Number.isSafeInteger(seq)) return refused('MALFORMED_ANCHOR', `--anchor ${m[1]}: the chain's rows are numbered from 1; SEQ:HASH as printed by an earlier run`);
    anchor = { seq, hash: m[2] };
  }
  const given = values.checkpoints?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (values.checkpoints && given!.length === 0) return refused('CHECKPOINT_FILE_MISSING', '--checkpoints names no file');
  const fromEnv = defaults.env.AUDIT_CHECKPOINT_FILE ? userPath(defaults.env.AUDIT_CHECKPOINT_FILE, defaults.env) : undefined;
  const defaultFile = firstExisting(fromEnv, defaults.privateServerFiles ? privateServerAuditFiles(defaults.env).checkpoints : undefined);
  // Relative paths from where the command was typed; one file named twice is read once.
  const files = given ? [...new Set(given.map((f) => userPath(f, defaults.env)))] : defaultFile ? [defaultFile] : [];
  const missing = given?.find((f) => !fs.existsSync(userPath(f, defaults.env)));
  if (missing !== undefined) return refused('CHECKPOINT_FILE_MISSING', `no checkpoint file at ${missing}`);
  // The key checks a checkpoint file's signatures. With no file to check (none given, and none at
  // AUDIT_CHECKPOINT_FILE or beside the private server's data) it was ignored, and the run answered
  // "intact" on the chain alone: an auditor who passed the key believed the signatures checked.
  if (values['public-key'] !== undefined && files.length === 0) {
    return refused('PUBLIC_KEY_WITHOUT_CHECKPOINTS', `--public-key checks the signatures of a checkpoint file, and there is none to check${fromEnv ? ` (AUDIT_CHECKPOINT_FILE names ${fromEnv}, which is not there)` : ''}: name it with --checkpoints FILE, or leave out --public-key to check the chain alone`);
  }
  if (files.length === 0) return { kind: 'verify', anchor, files, key: null };
  // A key that cannot be read is the caller's to mend, exit 2: it was thrown out of the command,
  // exit 1 (a broken chain, to a script) with "the hub database does not answer".
  let key: crypto.KeyObject | null;
  try {
    key = verifyKey(values['public-key'], defaults);
  } catch (err) {
    return refused('PUBLIC_KEY_UNREADABLE', `the public key ${values['public-key'] ?? '(AUDIT_VERIFY_KEY_FILE, AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE)'} cannot be read as a PEM key (${unreadable(err)})`);
  }
  if (!key) return refused('PUBLIC_KEY_REQUIRED', `the checkpoint file${files.length > 1 ? 's need' : ' needs'} the public key to verify ${files.length > 1 ? 'them' : 'it'}: --public-key PEM`);
  return { kind: 'verify', anchor, files, key };
}

/** Runs the check; returns the exit code. */
export async function auditVerifyCommand(argv: string[], db: AccessDb, print: Print, defaults: VerifyDefaults = NO_DEFAULTS): Promise<number> {
  const judged = judgeVerify(argv, defaults);
  if (judged.kind === 'help') {
    print(USAGE);
    return 0;
  }
  if (judged.kind === 'refused') {
    print(judged.line, 'stderr');
    return 2;
  }
  const { anchor, files, key } = judged;
  let external: ExternalRecord | undefined;
  let read: { file: string; record: ExternalRecord; cutLines: number[] }[] = [];
  const evidence: string[] = [];
  if (key !== null) {
    read = [];
    for (const file of files) {
      let r: ReturnType<typeof readCheckpointFile>;
      try {
        r = readCheckpointFile(file, key);
      } catch (err) {
        print(configErrorLine({ code: 'CHECKPOINT_FILE_UNREADABLE', message: `${file} cannot be read (${unreadable(err)})` }), 'stderr');
        return 2;
      }
      if (!r.ok) {
        print(`checkpoint file ${file} is not usable as evidence (${r.code}): ${r.message}`, 'stderr');
        return 2;
      }
      read.push({ file, record: r.record, cutLines: r.cutLines });
    }
    const merged = mergeRecords(read);
    if (!merged.ok) {
      print(`the checkpoint files are not usable as evidence together (FILES_DISAGREE): ${merged.message}`, 'stderr');
      return 2;
    }
    external = merged.record;
    if (read.length === 1) evidence.push(`checked against ${describeFile(read[0].file, read[0].record, read[0].cutLines)}`);
    else {
      evidence.push(`checked against ${read.length} checkpoint files together (${merged.record.checkpoints.length} signed checkpoints, ${merged.record.rowHashes.size} rows recorded):`);
      for (const r of read) evidence.push(`  ${describeFile(r.file, r.record, r.cutLines)}`);
    }
  } else {
    evidence.push("no checkpoint file: only the chain's own consistency was checked (a rewrite with recomputed hashes would not show)");
  }
  const verdict = await verifyChain(db, { anchor, external });
  for (const line of describeVerdict(verdict)) print(line);
  // With several files, which of them holds the evidence against the row named.
  if (!verdict.ok && read.length > 1 && (verdict.problem === 'REWRITTEN' || verdict.problem === 'TRUNCATED')) {
    const holders = read.filter((r) => r.record.rowHashes.has(verdict.seq) || r.record.checkpoints.some((c) => c.seq === verdict.seq)).map((r) => r.file);
    if (holders.length > 0) print(`row ${verdict.seq} is recorded in ${holders.join(', ')}`);
  }
  // The case records' seals (db/cases/seals.ts), against the seal chain's signed checkpoints when a file was read:
  // after the access chain's verdict and what it names, before the evidence both were checked against.
  const cases = await verifyCaseSeals(hubDbOf(db), external?.caseCheckpoints ?? []);
  for (const line of describeCaseSeals(cases)) print(line);
  for (const line of evidence) print(line);
  if (!verdict.ok) return verdict.problem === 'ANCHOR_CONTRADICTED' ? 2 : 1;
  return cases.ok ? 0 : 1;
}

if (require.main === module) {
  const defaults: VerifyDefaults = { env: process.env, privateServerFiles: !process.env.DATABASE_URL };
  void runAgainstHub('audit:verify', (argv, db, print) => auditVerifyCommand(argv, db, print, defaults), {
    usage: USAGE,
    options: OPTIONS,
    positionals: false,
    failedExit: 3,
    laterRelease: 'allowed',
    judge: (argv) => {
      const judged = judgeVerify(argv, defaults);
      if (judged.kind !== 'refused') return undefined;
      console.error(judged.line);
      return 2;
    },
  });
}
