/**
 * `npm start`. With DATABASE_URL, serves that hub database (and the department sources its
 * SOURCE_*_URL variables name). Without it, starts a private MariaDB/MySQL server of its own under
 * .data/ (git-ignored), creates the hub and department databases, loads a demo population if they
 * are empty, and serves them.
 */
import path from 'node:path';
import { asc, count, like } from 'drizzle-orm';
import { ensureDemoClients } from '../access/demo-clients';
import { removeHubUrlFile, writeHubUrlFile } from '../access/hub-url';
import { accessDbOf } from '../db/access/db';
import { createPool, hubDrizzle } from '../db/connect';
import { startPrivateServer, ServerBinaryMissing, type PrivateServer } from '../db/setup/private-server';
import { provisionHub } from '../db/setup/provision';
import { provisionDatabases } from '../federation/provision';
import { household } from '../db/household/schema';
import { closeSources, openSources } from '../federation/sources';
import { generateDemo } from '../tools/generate/index';
import { createHubServer } from './app';
import { loadConfig, redactUrl, sourceUrls, withDatabase } from '../db/config';
import { createLogger } from './logger';

const ROOT = path.join(__dirname, '..');

async function main(): Promise<void> {
  const logger = createLogger();
  let privateServer: PrivateServer | null = null;
  let hubUrl = process.env.DATABASE_URL;
  // Demo data is only ever written to databases the hub created for itself, unless asked for.
  let demo = process.env.AIDHUB_DEMO === '1';
  if (!hubUrl) {
    const dataDir = process.env.AIDHUB_DATA_DIR ?? path.join(ROOT, '.data', 'mariadb');
    console.log(`No DATABASE_URL: starting a private database server (data in ${path.relative(process.cwd(), dataDir) || dataDir}) …`);
    privateServer = await startPrivateServer({ dataDir });
    hubUrl = withDatabase(privateServer.url, 'aidhub');
    demo = process.env.AIDHUB_DEMO !== '0';
    // So `npm run clients` and `npm run audit:verify` find this server while it runs.
    writeHubUrlFile(hubUrl);
  }
  const config = loadConfig(hubUrl);

  if (demo) await provisionDatabases(hubUrl, sourceUrls(hubUrl));
  else await provisionHub(hubUrl);

  const hubPool = createPool(hubUrl);
  const hub = hubDrizzle(hubPool);
  if (demo) {
    const [{ n }] = await hub.select({ n: count() }).from(household);
    if (n === 0) {
      const households = Number(process.env.AIDHUB_DEMO_HOUSEHOLDS ?? 5000);
      console.log(`Empty hub: loading a demo population of ${households} households (seed 1) …`);
      await generateDemo({ hubUrl, households, seed: 1 });
    }
  }

  let demoTokens: Map<string, string> | null = null;
  // The example below asks for a Jining household, which the city-wide demo client may see.
  const [example] = demo ? await hub.select({ id: household.id }).from(household).where(like(household.regionCode, '3708%')).orderBy(asc(household.id)).limit(1) : [];
  const demoClientsFile = path.join(ROOT, '.data', 'demo-clients.env');
  if (demo) demoTokens = await ensureDemoClients(accessDbOf(hub), demoClientsFile);

  const sources = openSources(config.sources);
  const { httpServer, apollo } = await createHubServer({ config, hub, sources, logger });
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const base = `http://${config.host}:${config.port}`;
  const tokensFile = path.relative(process.cwd(), demoClientsFile) || demoClientsFile;
  console.log(`
AidHub is listening on ${base}/graphql   (query page: ${base}/ , health: ${base}/healthz)
Hub database: ${redactUrl(hubUrl)}
`);
  if (demoTokens) {
    console.log(`Demo API clients (one per department, a township officer, an auditor): tokens in ${tokensFile}

Try:
  source ${tokensFile}
  curl -s ${base}/graphql -H 'content-type: application/json' \\
    -H "authorization: Bearer $AIDHUB_TOKEN_CIVIL_AFFAIRS" -H 'x-purpose: ELIGIBILITY_REVIEW' \\
    -d '{"query":"{ household(id: \\"${example?.id ?? 1}\\") { registrationNumber members { relation person { name age } } aid { department { code } programme { name } amountFen } sources { department { code } available } } }"}'
`);
  } else {
    console.log('Every request needs an API client token: create one with `npm run clients -- create --help` (see docs/access.md).');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await apollo.stop(); // drains in-flight requests, then closes the HTTP server
    await closeSources(sources);
    await hubPool.end();
    await privateServer?.stop();
    if (privateServer) removeHubUrlFile();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ServerBinaryMissing) {
    console.error(err.message);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
