/**
 * Where the command-line tools find the hub database: DATABASE_URL, or else the URL `npm start`
 * wrote for the private server it is running: `hub-url` beside the server's data directory
 * (AIDHUB_DATA_DIR, by default .data/mariadb, so .data/hub-url; git-ignored, removed at shutdown).
 */
import fs from 'node:fs';
import path from 'node:path';
import { shownPath, userPath } from '../domain/user-path';

/** The private server's data directory when AIDHUB_DATA_DIR does not say. */
export const DEFAULT_DATA_DIR = path.join(__dirname, '..', '.data', 'mariadb');

export function privateDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.AIDHUB_DATA_DIR ? userPath(env.AIDHUB_DATA_DIR, env) : DEFAULT_DATA_DIR;
}

/** A file the private server's hub keeps beside its data directory (hub-url, demo-clients.env, demo-loading). */
export function besidePrivateData(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.join(path.dirname(privateDataDir(env)), name);
}

/** The file naming the running private server's hub database. */
export function hubUrlFile(env: NodeJS.ProcessEnv = process.env): string {
  return besidePrivateData('hub-url', env);
}

export function resolveHubUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const file = hubUrlFile(env);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  throw new Error(`No hub database: set DATABASE_URL, or start the hub with \`npm start\` (its private server writes ${shownPath(file, env)}).`);
}

export function writeHubUrlFile(url: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = hubUrlFile(env);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, url + '\n', { mode: 0o600 });
}

export function removeHubUrlFile(env: NodeJS.ProcessEnv = process.env): void {
  fs.rmSync(hubUrlFile(env), { force: true });
}
