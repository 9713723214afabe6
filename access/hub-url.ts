/**
 * Where the command-line tools find the hub database: DATABASE_URL, or else the URL `npm start`
 * wrote for the private server it is running (.data/hub-url, git-ignored, removed at shutdown).
 */
import fs from 'node:fs';
import path from 'node:path';

export const HUB_URL_FILE = path.join(__dirname, '..', '.data', 'hub-url');

export function resolveHubUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (fs.existsSync(HUB_URL_FILE)) return fs.readFileSync(HUB_URL_FILE, 'utf8').trim();
  throw new Error('No hub database: set DATABASE_URL, or start the hub with `npm start` (its private server writes .data/hub-url).');
}

export function writeHubUrlFile(url: string): void {
  fs.mkdirSync(path.dirname(HUB_URL_FILE), { recursive: true });
  fs.writeFileSync(HUB_URL_FILE, url + '\n', { mode: 0o600 });
}

export function removeHubUrlFile(): void {
  fs.rmSync(HUB_URL_FILE, { force: true });
}
