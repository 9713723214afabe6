/**
 * `npm test` runs this first (the `pretest` script): everything the suite needs outside
 * node_modules is there before a single test runs, or the run stops with one message naming
 * exactly what to install.
 *
 * - A MariaDB or MySQL server binary, for the throwaway database server the tests start
 *   (not needed when AIDHUB_TEST_DATABASE_URL names a server).
 * - Chromium, for the meeting brief tested in a real headless browser (test/cases-brief.test.ts;
 *   CHROMIUM_PATH, default /usr/bin/chromium), and on Debian the CJK font that makes its
 *   screenshots show Chinese rather than boxes.
 * - poppler-utils (`pdfinfo`, `pdftotext`), to read back the pages of the brief's PDF: each must
 *   carry the case reference and its page number (test/cases-brief.test.ts).
 * - A Redis server binary, for the private Redis that two hub processes share their rate limits
 *   through (test/replicas.test.ts); never a running service.
 *
 * As root on Debian or Ubuntu the missing packages are installed with apt-get, as CI does;
 * anywhere else the message says what to install. Nothing is ever skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { serverBinary } from '../db/setup/private-server';
import { parseCommandLine } from './command-args';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Missing {
  what: string;
  debianPackage: string;
  elsewhere: string;
}

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function debianInstalled(pkg: string): boolean {
  return spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') ?? false;
}

export function missingPrerequisites(): Missing[] {
  const missing: Missing[] = [];
  if (!process.env.AIDHUB_TEST_DATABASE_URL && !serverBinary()) {
    missing.push({ what: 'a MariaDB or MySQL server binary (mariadbd or mysqld)', debianPackage: 'mariadb-server', elsewhere: 'brew install mariadb, or set AIDHUB_TEST_DATABASE_URL=mysql://user:pass@host:3306/' });
  }
  if (!fs.existsSync(CHROMIUM)) {
    missing.push({ what: `Chromium at ${CHROMIUM}`, debianPackage: 'chromium', elsewhere: 'install Chromium and set CHROMIUM_PATH to its executable' });
  }
  if (!hasCommand('pdftotext') || !hasCommand('pdfinfo')) {
    missing.push({ what: 'poppler-utils (pdfinfo and pdftotext), to read the printed brief’s pages', debianPackage: 'poppler-utils', elsewhere: 'brew install poppler' });
  }
  // test/readme-loop.test.ts runs the README's walk-through as written.
  if (!hasCommand('curl')) missing.push({ what: 'curl, for the README walk-through', debianPackage: 'curl', elsewhere: 'install curl' });
  if (!hasCommand('jq')) missing.push({ what: 'jq, for the README walk-through', debianPackage: 'jq', elsewhere: 'brew install jq' });
  // test/alert-delivery/callback-dns.test.ts makes its https receiver's certificate with openssl.
  if (!hasCommand('openssl')) missing.push({ what: 'openssl, for a test https receiver\'s certificate', debianPackage: 'openssl', elsewhere: 'install openssl' });
  if (!hasCommand('redis-server')) {
    missing.push({ what: 'a Redis server binary (redis-server)', debianPackage: 'redis-server', elsewhere: 'brew install redis' });
  }
  if (hasCommand('dpkg-query') && !debianInstalled('fonts-noto-cjk')) {
    missing.push({ what: 'a CJK font for the brief’s screenshots', debianPackage: 'fonts-noto-cjk', elsewhere: 'install Noto Sans CJK' });
  }
  return missing;
}

function main(): number {
  const missing = missingPrerequisites();
  if (missing.length === 0) return 0;
  const packages = missing.map((m) => m.debianPackage);
  const root = process.getuid?.() === 0;
  if (root && hasCommand('apt-get')) {
    console.error(`npm test: installing ${packages.join(' ')} (apt-get) …`);
    const run = (args: string[]) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
    if (run(['update', '-qq']) && run(['install', '-y', '-qq', ...packages]) && missingPrerequisites().length === 0) return 0;
    console.error('npm test: apt-get could not install them; see its messages above.');
    return 1;
  }
  const lines = missing.map((m) => `  - ${m.what}: ${m.elsewhere}`);
  console.error(
    [
      'npm test needs, before it runs anything:',
      ...lines,
      hasCommand('apt-get') ? `On Debian or Ubuntu: sudo apt-get install -y ${packages.join(' ')}   (as root, \`npm test\` does this itself)` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  return 1;
}

const USAGE = 'usage: npm run pretest   (run by `npm test` first; takes no arguments)';

if (require.main === module) {
  parseCommandLine(USAGE, {});
  process.exitCode = main();
}
