/**
 * The checks `npm start` (server/main.ts) makes before it loads the hub's own code (Apollo, the
 * schema, drizzle, every department's): a refusal of a value to correct comes in a moment, and
 * nothing has been started or written. Its imports are the configuration's and the locality
 * files' only; what the start itself needs is in server/start-hub.ts, loaded once these pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import { activeRoleOffices } from '../access/policy';
import { ConfigError } from '../db/config';
import { HolidayNoticeError } from '../domain/cases/holiday-notices';
import { RuleSetError } from '../domain/findings/rule-set';
import { TriggerSetError } from '../domain/monitoring/triggers';
import { shownPath } from '../domain/user-path';
import { activeRuleSet, RULES_FILE_ENV } from '../rules/load';
import { activeTriggerSet, TRIGGERS_FILE_ENV } from '../rules/triggers-load';

/** A refusal to start that needs no stack trace: its message says what to do, its code (README, Configuration) what it is. */
export class CannotStart extends Error {
  constructor(
    readonly code: 'PORT_IN_USE' | 'PORT_NOT_ALLOWED' | 'HOST_NOT_LOCAL' | 'HOST_UNKNOWN' | 'DATA_DIR_UNUSABLE' | 'DATA_DIR_OF_ANOTHER_HUB' | 'BINLOG_UNSUITABLE',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Exit code 2 for a value to correct before starting again (README, Configuration); null for an
 * error of another kind. A holiday notice file's message names AIDHUB_HOLIDAYS_FILE, as a
 * ConfigError names its variable.
 */
export function configExitCode(err: unknown): number | null {
  return isConfigRefusal(err) ? 2 : null;
}

/** A value to correct before starting again: printed `error: CODE: …` (configErrorLine). */
export function isConfigRefusal(err: unknown): err is CannotStart | ConfigError | HolidayNoticeError {
  return err instanceof CannotStart || err instanceof ConfigError || err instanceof HolidayNoticeError;
}

export function portProblem(err: NodeJS.ErrnoException, host: string, port: number, variable = 'PORT'): Error {
  if (err.code === 'EADDRINUSE') {
    // A hub's metrics listener answers /metrics only (server/metrics.ts), and /healthz with 404.
    const probe = variable === 'PORT' ? '/healthz' : '/metrics';
    return new CannotStart(
      'PORT_IN_USE',
      `Port ${port} on ${host} (${variable}) is already in use (another AidHub? \`curl -s http://${host}:${port}${probe}\` tells).\n` +
        `  Stop what listens there, or start this hub on another port: ${variable}=${variable === 'PORT' ? 4001 : 9464} npm start`,
    );
  }
  if (err.code === 'EACCES') return new CannotStart('PORT_NOT_ALLOWED', `Not allowed to listen on ${host}:${port} (${variable}): choose a port above 1023 (${variable}=${variable === 'PORT' ? 4000 : 9464}).`);
  const hostVariable = variable === 'PORT' ? 'HOST' : 'METRICS_HOST';
  if (err.code === 'EADDRNOTAVAIL') return new CannotStart('HOST_NOT_LOCAL', `${hostVariable}=${host} is not an address of this machine.`);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new CannotStart('HOST_UNKNOWN', `${hostVariable}=${host} is neither an address nor a name this machine resolves.`);
  return err;
}

/**
 * The private server's data directory (AIDHUB_DATA_DIR, or .data/mariadb in the checkout) checked
 * before anything starts, without writing: the nearest part of its path that exists must be a
 * directory this process may write in. A file in the path, a directory of another user's or a
 * read-only file system ended the start with Node's ENOTDIR, EACCES or EROFS and a stack trace.
 */
export function checkDataDir(dataDir: string): void {
  const variable = process.env.AIDHUB_DATA_DIR ? 'AIDHUB_DATA_DIR' : 'AIDHUB_DATA_DIR (unset: .data/mariadb in the checkout)';
  let existing = dataDir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const refuse = (why: string) => new CannotStart('DATA_DIR_UNUSABLE', `${variable}: the private database server cannot keep its data in ${shownPath(dataDir)}: ${why}. Give it a directory this user may write in.`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(existing);
  } catch (err) {
    throw refuse(`${shownPath(existing)} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!stat.isDirectory()) throw refuse(`${shownPath(existing)} is a file, not a directory`);
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw refuse(code === 'EROFS' ? `${shownPath(existing)} is on a read-only file system` : `this user may not write in ${shownPath(existing)} (${code ?? 'error'})`);
  }
}

/**
 * The rule set and the trigger set in force, loaded (and kept) now: a bad file is a value the hub
 * cannot run with, refused as a ConfigError naming its variable (the set's own message names the
 * file, the rule or trigger and the field).
 */
export function checkLocalityFiles(): void {
  const named = (variable: string, err: RuleSetError | TriggerSetError): unknown => (process.env[variable] ? new ConfigError(err.code, `${variable}: ${err.message}`) : err);
  try {
    activeRuleSet();
  } catch (err) {
    throw err instanceof RuleSetError ? named(RULES_FILE_ENV, err) : err;
  }
  try {
    activeTriggerSet();
  } catch (err) {
    throw err instanceof TriggerSetError ? named(TRIGGERS_FILE_ENV, err) : err;
  }
  // Which offices may hold a role, as the site widens it (AIDHUB_ROLE_OFFICES): a ConfigError naming the variable.
  activeRoleOffices();
}
