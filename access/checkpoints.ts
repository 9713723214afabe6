/**
 * Tamper evidence for the audit trail that does not trust the database (X-Road's signed message
 * log, as evidence for an auditor). The hash chain in `access_log` shows an edit by anyone who does
 * not recompute the hashes after it; an administrator of the database can recompute them, or cut
 * the tail and move the head back. So the hub also writes, outside the database:
 *
 * - after every committed audit transaction, one line with the hashes of the rows it wrote
 *   (`{"t":"rows","first":SEQ,"hashes":[…]}`);
 * - every `everyRows` rows or `everyMs` milliseconds (whichever comes first, and at shutdown), a
 *   checkpoint of the chain head signed with an Ed25519 key the database does not hold
 *   (`{"t":"checkpoint","seq":…,"hash":…,"at":…,"keyId":…,"sig":…}`). The head hash covers every
 *   row before it, so one signature vouches for the whole chain up to it.
 *
 * The file is JSON lines, opened for appending only; it is the export for an auditor, with the
 * public key (`publicKeyPem`). `npm run audit:verify -- --checkpoints FILE --public-key PEM`
 * checks the chain against it and names the first row that differs (tools/audit-verify.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { besidePrivateData } from './hub-url';
import { checkpointConfigFromEnv, checkpointFileTail, ConfigError, CHECKPOINT_EVERY_MS_DEFAULT, CHECKPOINT_EVERY_ROWS_DEFAULT, keyIdOf, parseKey, type CheckpointConfig } from '../db/config';

// The settings are configuration (db/config.ts); they are re-exported for the verifier and tests.
export { checkpointConfigFromEnv, CHECKPOINT_EVERY_MS_DEFAULT, CHECKPOINT_EVERY_ROWS_DEFAULT, parseKey, type CheckpointConfig };


/**
 * Where a hub on its private server keeps, when it is given no key, the signing key it generates,
 * the public half for auditors, and the checkpoint file: beside the server's data directory, like
 * `hub-url` (by default .data/, git-ignored; with AIDHUB_DATA_DIR=/srv/aidhub/mariadb, /srv/aidhub/).
 * The file vouches for that server's chain only: two hubs on two data directories never share one.
 */
export function privateServerAuditFiles(env: NodeJS.ProcessEnv = process.env): { signingKey: string; verifyKey: string; checkpoints: string } {
  return {
    signingKey: besidePrivateData('audit-signing-key.pem', env),
    verifyKey: besidePrivateData('audit-verify-key.pem', env),
    checkpoints: besidePrivateData('audit-checkpoints.jsonl', env),
  };
}


export interface Checkpoint {
  seq: number;
  hash: string;
  /** ISO 8601 instant the hub signed it. */
  at: string;
}

/** What signed checkpoints vouch for. A fixed label and version, so a signature cannot be reused for anything else. */
function signedText(c: Checkpoint, keyId: string): Buffer {
  return Buffer.from(JSON.stringify(['aidhub-audit-checkpoint', 1, c.seq, c.hash, c.at, keyId]), 'utf8');
}

/**
 * What a signed checkpoint of the case records' seal chain vouches for (db/cases/seals.ts): its own
 * label, so a checkpoint of one chain cannot be passed off as the other's.
 */
function caseSignedText(c: Checkpoint, keyId: string): Buffer {
  return Buffer.from(JSON.stringify(['aidhub-case-seal-checkpoint', 1, c.seq, c.hash, c.at, keyId]), 'utf8');
}

/** A short, stable name of a public key (db/config.ts, which checks a checkpoint file's key at start). */
export { keyIdOf };

export function publicKeyPem(key: crypto.KeyObject): string {
  const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return String(publicKey.export({ type: 'spki', format: 'pem' }));
}



/**
 * A private server made anew (its data directory deleted, or never there) starts a new audit chain:
 * the checkpoint file beside it vouches for the chain that went with the old data, and read against
 * the new one would report every row as rewritten. It is kept, renamed
 * `audit-checkpoints.before-<instant>.jsonl`, for whoever still has a copy of that chain; the new
 * chain's file starts empty. Only for a server the hub itself has just made: a chain emptied in a
 * database that was already there is what the file exists to show. Returns the new name, or null
 * when there was nothing to set aside.
 */
export function setAsideCheckpointFile(file: string, now = new Date()): string | null {
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return null;
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const aside = path.join(path.dirname(file), `${path.basename(file, '.jsonl')}.before-${stamp}.jsonl`);
  fs.renameSync(file, aside);
  return aside;
}

/**
 * The last row a checkpoint file records (by its row hashes or a signed checkpoint), read from the
 * file's end; null when it records none. A hub about to append to the file checks that its
 * database's chain still holds that row (access/audit.ts chainBehindRecord): a database restored
 * from an older backup has rewound the chain, and appending would record other rows under the
 * same numbers.
 */
export function lastRecordedRow(file: string): { seq: number; hash: string } | null {
  let last: { seq: number; hash: string } | null = null;
  for (const line of checkpointFileTail(file) ?? []) {
    let row: { seq: number; hash: string } | null = null;
    if (line.t === 'rows' && Number.isInteger(line.first) && Array.isArray(line.hashes) && line.hashes.length > 0) {
      row = { seq: (line.first as number) + line.hashes.length - 1, hash: String(line.hashes[line.hashes.length - 1]) };
    } else if (line.t === 'checkpoint' && Number.isInteger(line.seq)) {
      row = { seq: line.seq as number, hash: String(line.hash) };
    }
    if (row && (!last || row.seq > last.seq)) last = row;
  }
  return last;
}

/** A new Ed25519 key pair written as PEM files (private one readable by the owner only). */
export function generateSigningKeyFiles(privatePath: string, publicPath: string): void {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  fs.mkdirSync(path.dirname(privatePath), { recursive: true });
  fs.writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
}

/**
 * Whether the file ends in a line cut mid-write (a crash, a kill -9, a full disk): its last byte is
 * not a newline. The hub ends that line before it appends anything, so the next line stands whole on
 * its own: appended to the cut one, it glued both into one line that is not JSON, and the whole file
 * was refused as evidence (`line N is not JSON`) at the next `audit:verify`, the chain intact.
 */
function endsCut(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/** Who holds a checkpoint file (its lock, checkpointLockPath): the process, on which machine, since when. */
interface CheckpointFileHolder {
  pid: number;
  host: string;
  since: string;
}

function readHolder(text: string): CheckpointFileHolder | null {
  try {
    const h = JSON.parse(text) as Partial<CheckpointFileHolder>;
    return Number.isSafeInteger(h.pid) && typeof h.host === 'string' ? { pid: h.pid!, host: h.host, since: String(h.since) } : null;
  } catch {
    return null;
  }
}

function readLockText(lock: string): string | null {
  try {
    return fs.readFileSync(lock, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Whether a process of this machine runs under that id (EPERM: it does, as another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What holdCheckpointFile took: how to let the file go, and a lock of another machine it took over (null: none). */
export interface CheckpointFileHold {
  release: () => void;
  tookOverFrom: { host: string; pid: number; since: string } | null;
}

/**
 * Where the lock of a checkpoint file is: in this machine's temporary directory, named by a hash
 * of the file's real path (one given through a symbolic link is the same file, and one lock). Not
 * beside the file: the README keeps the file on storage the database's administrators cannot
 * write (a write-once volume, a log shipper), where a lock could be neither made nor removed.
 */
export function checkpointLockPath(file: string): string {
  const real = fs.existsSync(file) ? fs.realpathSync(file) : path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
  return path.join(os.tmpdir(), `aidhub-checkpoint-${crypto.createHash('sha256').update(real).digest('hex').slice(0, 24)}.lock`);
}

/**
 * Takes the checkpoint file for this process, by a lock file (checkpointLockPath, holding the
 * process id, the machine's name and since when), or refuses the start (CHECKPOINT_FILE_IN_USE)
 * while another live process of this machine holds it. Two hub processes appending to one file
 * interleave their lines and each signs its own view of the head; the README forbade it, and
 * nothing stopped a second process given the same file.
 *
 * A lock whose process is gone (a kill -9, a power cut) is stale and taken over, so a restart
 * after a crash starts; so is one naming this very process id (a container's hub is often the
 * same pid after a restart). A lock of another machine (a temporary directory shared between
 * machines) cannot be checked, its process id is not this machine's: it is taken over and returned
 * as `tookOverFrom` for the caller to log. Two hubs on two machines sharing one file (a network
 * file system) are not detected: each has its own temporary directory.
 */
export function holdCheckpointFile(file: string): CheckpointFileHold {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = checkpointLockPath(file);
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }) + '\n';
  let tookOverFrom: CheckpointFileHold['tookOverFrom'] = null;
  // Three tries: another process starting at the same moment may take over the same stale lock first.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lock, mine, { flag: 'wx', mode: 0o644 });
      const release = () => {
        // Only this process's own lock: never one another process took over meanwhile.
        if (readLockText(lock) === mine) fs.rmSync(lock, { force: true });
      };
      return { release, tookOverFrom };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError('FILE_UNREADABLE', `AUDIT_CHECKPOINT_FILE: cannot write its lock ${lock} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
    }
    const held = readLockText(lock);
    if (held === null) continue;
    const holder = readHolder(held);
    const here = holder?.host === os.hostname();
    if (holder && here && holder.pid !== process.pid && processAlive(holder.pid)) {
      throw new ConfigError(
        'CHECKPOINT_FILE_IN_USE',
        `AUDIT_CHECKPOINT_FILE: ${file} is in use by another hub process (pid ${holder.pid}, since ${holder.since}; lock ${lock}): two processes never share one checkpoint file. ` +
          `Give this process a file of its own (docs/scale-out.md), or stop the other one first`,
      );
    }
    if (holder && !here) tookOverFrom = { host: holder.host, pid: holder.pid, since: holder.since };
    // Stale: removed only if it is still the lock judged, not one another start has just written.
    if (readLockText(lock) === held) fs.rmSync(lock, { force: true });
  }
  throw new ConfigError('CHECKPOINT_FILE_IN_USE', `AUDIT_CHECKPOINT_FILE: ${file}: its lock ${lock} was taken by another process starting at the same time: two processes never share one checkpoint file`);
}

/** Appends row hashes and signed checkpoints, in order, to the file. */
export class CheckpointLog {
  private readonly keyId: string;
  private writing: Promise<void> = Promise.resolve();
  private head: { seq: number; hash: string } | null = null;
  private lastSignedSeq = 0;
  private rowsSinceSigned = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Lines that could not be written: the hub goes on answering, and says so in its log. */
  failures = 0;
  private lastCaseSeq = 0;

  /**
   * `caseSealHead`: reads the head of the case records' seal chain as committed (db/cases/seals.ts
   * caseSealHeadNow); each signing also signs it, when it moved, as a `case-checkpoint` line, so
   * an administrator who recomputes that chain is caught as one who recomputes the access chain is.
   */
  constructor(
    private readonly config: CheckpointConfig,
    private readonly logger?: Logger,
    private readonly caseSealHead: (() => Promise<{ seq: number; hash: string } | null>) | null = null,
  ) {
    this.keyId = keyIdOf(config.signingKey);
    fs.mkdirSync(path.dirname(config.file), { recursive: true });
    if (endsCut(config.file)) this.write('\n');
    this.timer = setInterval(() => this.sign(), config.everyMs);
    this.timer.unref();
  }

  /**
   * Called after each committed audit transaction with the rows it wrote. A transaction writes the
   * rows of several requests at once (access/audit.ts), so a line about the file carries no request
   * id: it is written through the hub's logger.
   */
  recordRows(firstSeq: number, hashes: readonly string[]): void {
    if (hashes.length === 0) return;
    this.append({ t: 'rows', first: firstSeq, hashes });
    this.head = { seq: firstSeq + hashes.length - 1, hash: hashes[hashes.length - 1] };
    this.rowsSinceSigned += hashes.length;
    if (this.rowsSinceSigned >= this.config.everyRows) this.sign();
  }

  /** Signs the head written last, if it moved since the last checkpoint; and the case seal chain's head, if it moved. */
  sign(): void {
    this.signCaseSeals();
    if (!this.head || this.head.seq === this.lastSignedSeq) return;
    const checkpoint: Checkpoint = { ...this.head, at: new Date().toISOString() };
    const sig = crypto.sign(null, signedText(checkpoint, this.keyId), this.config.signingKey).toString('base64');
    this.append({ t: 'checkpoint', ...checkpoint, keyId: this.keyId, sig });
    this.lastSignedSeq = checkpoint.seq;
    this.rowsSinceSigned = 0;
  }

  /** A last checkpoint, then waits for every line to reach the file. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sign();
    await this.writing;
  }

  /** Reads the case seal chain's head and signs it, in the file's order of lines; a failed read is counted and logged, as a failed line is. */
  private signCaseSeals(): void {
    const read = this.caseSealHead;
    if (!read) return;
    this.writing = this.writing.then(async () => {
      try {
        const head = await read();
        if (!head || head.seq === this.lastCaseSeq) return;
        const checkpoint: Checkpoint = { ...head, at: new Date().toISOString() };
        const sig = crypto.sign(null, caseSignedText(checkpoint, this.keyId), this.config.signingKey).toString('base64');
        await fs.promises.appendFile(this.config.file, JSON.stringify({ t: 'case-checkpoint', ...checkpoint, keyId: this.keyId, sig }) + '\n', { flag: 'a', mode: 0o640 });
        this.lastCaseSeq = head.seq;
      } catch (err) {
        this.failures += 1;
        this.logger?.error({ code: (err as NodeJS.ErrnoException).code }, 'case seal checkpoint could not be signed');
      }
    });
  }

  private append(line: object): void {
    this.write(JSON.stringify(line) + '\n');
  }

  private write(text: string): void {
    this.writing = this.writing.then(() =>
      fs.promises.appendFile(this.config.file, text, { flag: 'a', mode: 0o640 }).catch((err: NodeJS.ErrnoException) => {
        this.failures += 1;
        this.logger?.error({ code: err.code }, 'audit checkpoint file could not be written');
      }),
    );
  }
}

// ----- Reading, for verification --------------------------------------------------------------------

export interface ExternalRecord {
  /** Row hashes recorded outside the database, by seq. */
  rowHashes: Map<number, string>;
  /** Signed checkpoints whose signatures verified, in file order. */
  checkpoints: Checkpoint[];
  /** Signed checkpoints of the case records' seal chain (db/cases/seals.ts), in file order. */
  caseCheckpoints?: Checkpoint[];
}

/**
 * Why a file is not usable as evidence, stable for an auditor's script (`audit:verify` prints it):
 * a line that is not JSON, or JSON of neither kind the hub writes; a checkpoint signed with another
 * key, or whose signature does not verify; one row recorded with two hashes (two chains: a hub
 * appended after its database was restored); row hashes that contradict a signed checkpoint.
 */
export type CheckpointFileProblem = 'LINE_NOT_JSON' | 'LINE_UNKNOWN' | 'OTHER_KEY' | 'SIGNATURE_INVALID' | 'TWO_CHAINS' | 'CHECKPOINT_CONTRADICTED';

/** `cutLines`: the lines (1-based) cut mid-write by a crash, which record nothing (parseLine). */
export type CheckpointFileResult = { ok: true; record: ExternalRecord; cutLines: number[] } | { ok: false; code: CheckpointFileProblem; line: number; message: string };

/** How every line the hub writes begins. */
const LINE_START = '{"t":"';

/**
 * One line of the file. A line that does not parse but begins as the hub's lines begin was cut
 * mid-write (a crash, a kill -9, a full disk): it records nothing, and the hub ends it at its next
 * start (CheckpointLog), so the next line stands on its own. A release before that appended the next
 * line to the cut one: the whole line glued after it (from its last `{"t":"`, which no line holds
 * but at its start) is read as the line it is. Any other text that does not parse is `line: null`,
 * `cut: false`: not the hub's.
 */
function parseLine(text: string): { line: Record<string, unknown> | null; cut: boolean } {
  const parsed = parseObject(text);
  if (parsed) return { line: parsed, cut: false };
  if (!text.startsWith(LINE_START) && !LINE_START.startsWith(text)) return { line: null, cut: false };
  const glued = text.lastIndexOf(LINE_START);
  return { line: glued > 0 ? parseObject(text.slice(glued)) : null, cut: true };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * A file that records one row twice with different hashes holds two chains: a hub appended to it
 * after its database was restored from an older backup (or replaced), numbering new rows where the
 * file had recorded others. Read as one, the later hashes hid the rows the restore lost; the
 * verdict names both lines. Line `at` (0-based) is the later one.
 */
function twoChains(lines: string[], at: number, seq: number): CheckpointFileResult {
  let earlier = 0;
  for (let j = 0; j < at && earlier === 0; j++) {
    // A line cut mid-write records nothing (parseLine).
    const l = parseLine(lines[j].trim()).line as { t?: string; first?: number; hashes?: unknown[]; seq?: number } | null;
    if (!l) continue;
    if (l.t === 'rows' && typeof l.first === 'number' && Array.isArray(l.hashes) && seq >= l.first && seq < l.first + l.hashes.length) earlier = j + 1;
    if (l.t === 'checkpoint' && l.seq === seq) earlier = j + 1;
  }
  return {
    ok: false,
    code: 'TWO_CHAINS',
    line: at + 1,
    message: `line ${at + 1} records row ${seq} with another hash than line ${earlier}: the file records two chains (a hub appended to it after its database was restored from an older backup, or replaced); the rows the first chain recorded from ${seq} on are what the database lost`,
  };
}

/**
 * Reads a checkpoint file and verifies every signature with the given public key. A line that
 * does not parse (but one cut mid-write: parseLine), a signature that does not verify, or row hashes
 * that contradict a signed checkpoint make the whole file unusable as evidence: the verdict says
 * which line.
 */
export function readCheckpointFile(file: string, key: crypto.KeyObject): CheckpointFileResult {
  const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
  const keyId = keyIdOf(publicKey);
  const rowHashes = new Map<number, string>();
  const checkpoints: Checkpoint[] = [];
  const caseCheckpoints: Checkpoint[] = [];
  const cutLines: number[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (text === '') continue;
    const { line, cut } = parseLine(text);
    if (cut) cutLines.push(i + 1);
    if (line === null) {
      // A line cut by a crash mid-write is expected (the file's last, or ended at the next start); any other text is not.
      if (cut || i >= lines.length - 2) continue;
      return { ok: false, code: 'LINE_NOT_JSON', line: i + 1, message: `line ${i + 1} is not JSON` };
    }
    if (line.t === 'rows' && Number.isInteger(line.first) && Array.isArray(line.hashes)) {
      const hashes = line.hashes as string[];
      for (let k = 0; k < hashes.length; k++) {
        const seq = (line.first as number) + k;
        const known = rowHashes.get(seq);
        if (known !== undefined && known !== hashes[k]) return twoChains(lines, i, seq);
        rowHashes.set(seq, hashes[k]);
      }
    } else if (line.t === 'checkpoint') {
      const c: Checkpoint = { seq: Number(line.seq), hash: String(line.hash), at: String(line.at) };
      if (line.keyId !== keyId) return { ok: false, code: 'OTHER_KEY', line: i + 1, message: `line ${i + 1} is signed with another key (${String(line.keyId)}, expected ${keyId})` };
      const valid = typeof line.sig === 'string' && crypto.verify(null, signedText(c, keyId), publicKey, Buffer.from(line.sig, 'base64'));
      if (!valid) return { ok: false, code: 'SIGNATURE_INVALID', line: i + 1, message: `line ${i + 1}: the checkpoint's signature does not verify: the file was altered` };
      if (checkpoints.some((earlier) => earlier.seq === c.seq && earlier.hash !== c.hash)) return twoChains(lines, i, c.seq);
      checkpoints.push(c);
    } else if (line.t === 'case-checkpoint') {
      const c: Checkpoint = { seq: Number(line.seq), hash: String(line.hash), at: String(line.at) };
      if (line.keyId !== keyId) return { ok: false, code: 'OTHER_KEY', line: i + 1, message: `line ${i + 1} is signed with another key (${String(line.keyId)}, expected ${keyId})` };
      const valid = typeof line.sig === 'string' && crypto.verify(null, caseSignedText(c, keyId), publicKey, Buffer.from(line.sig, 'base64'));
      if (!valid) return { ok: false, code: 'SIGNATURE_INVALID', line: i + 1, message: `line ${i + 1}: the case seal checkpoint's signature does not verify: the file was altered` };
      if (caseCheckpoints.some((earlier) => earlier.seq === c.seq && earlier.hash !== c.hash)) {
        return { ok: false, code: 'TWO_CHAINS', line: i + 1, message: `line ${i + 1} signs case seal ${c.seq} with another hash than an earlier line: the file records two seal chains (a database restored from an older backup, or replaced)` };
      }
      caseCheckpoints.push(c);
    } else {
      return { ok: false, code: 'LINE_UNKNOWN', line: i + 1, message: `line ${i + 1} is neither row hashes nor a checkpoint` };
    }
  }
  for (const c of checkpoints) {
    const recorded = rowHashes.get(c.seq);
    if (recorded !== undefined && recorded !== c.hash) return { ok: false, code: 'CHECKPOINT_CONTRADICTED', line: 0, message: `the row hashes recorded for row ${c.seq} contradict its signed checkpoint: the file was altered` };
  }
  return { ok: true, record: { rowHashes, checkpoints, caseCheckpoints }, cutLines };
}
