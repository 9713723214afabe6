/**
 * `npm start`. With DATABASE_URL, serves that hub database (and the department sources its
 * SOURCE_*_URL variables name). Without it, starts a private MariaDB/MySQL server of its own under
 * .data/ (git-ignored), creates the hub and department databases, loads a demo population if they
 * are empty, and serves them.
 *
 * Its configuration is read and checked, and its ports taken, before the hub's own code is loaded
 * (server/start-hub.ts, by a dynamic import): a refusal comes without the seconds Apollo, the
 * schema, drizzle and every department's code take to load. Only light modules are imported here
 * (Express among them, some 0.1 s: the early listener refuses a wrong method as the hub does).
 */
import { privateDataDir } from '../access/hub-url';
import { configErrorLine, demoHouseholdsFromEnv, loadConfig } from '../db/config';
import { activeHolidayCalendar } from '../domain/cases/working-days';
import { loggableError } from '../domain/privacy';
import { parseCommandLine } from '../tools/command-args';
import { answerMetricsStarting, EarlyListener } from './early-listener';
import { Started, stopOnSignals, stopped, type StopRequested } from './lifecycle';
import { createLogger } from './logger';
import { checkDataDir, checkLocalityFiles, configExitCode, isConfigRefusal, portProblem } from './start-checks';
import type { Checked, StartUp } from './start-hub';

const USAGE = `usage: npm start
  Takes no arguments: the hub is configured by environment variables (README, Configuration).`;

/** server/start-hub.ts once loaded: the exit codes of its refusals are its own. */
let startModule: typeof import('./start-hub') | null = null;

/**
 * Every variable and locality file, then the ports: nothing is started or written if the hub
 * could not run anyway. What is taken registers how it stops with `started`.
 */
async function checkAndListen(started: Started): Promise<Checked> {
  // A locality's holiday notices, rule set and warning triggers (AIDHUB_HOLIDAYS_FILE,
  // AIDHUB_RULES_FILE, AIDHUB_TRIGGERS_FILE) are checked before anything is started: a bad rule or
  // trigger file was found only once the private server had started and its databases were made.
  activeHolidayCalendar();
  checkLocalityFiles();
  const early = loadConfig(process.env.DATABASE_URL ?? 'mysql://127.0.0.1/aidhub');
  const demoHouseholds = demoHouseholdsFromEnv();
  if (!process.env.DATABASE_URL) checkDataDir(privateDataDir());
  // The public port is taken now and held through the start, answering 503 until the hub serves
  // (server/early-listener.ts): one taken by another process is reported at once, and none can take
  // it while the demo loads.
  const listener = new EarlyListener();
  await listener.listen(early.port, early.host).catch((err: NodeJS.ErrnoException) => {
    throw portProblem(err, early.host, early.port);
  });
  started.add('public port', () => listener.close());
  // The metrics port likewise, answering 503 until the hub serves its metrics: checked free and
  // bound only at the end, it could be taken in between, and the start failed after the demo load.
  const metricsListener = early.metrics?.port ? new EarlyListener(answerMetricsStarting) : null;
  if (metricsListener) {
    const { host, port } = early.metrics!;
    await metricsListener.listen(port!, host).catch((err: NodeJS.ErrnoException) => {
      throw portProblem(err, host, port!, 'METRICS_PORT');
    });
    started.add('metrics port', () => metricsListener.close());
  }
  return { early, demoHouseholds, listener, metricsListener };
}

async function main(): Promise<void> {
  // `npm start -- --port 4001` was ignored, and the hub started on 4000.
  parseCommandLine(USAGE, {});
  const logger = createLogger();
  // Before anything is started: a signal at any moment from here on stops the hub cleanly.
  const stopRequested = stopOnSignals();
  const started = new Started();
  const startUp: StartUp = { step: 'checks', stopRequested, started };
  try {
    const checked = await checkAndListen(started);
    startModule = await import('./start-hub');
    await startModule.startHub(startUp, logger, checked);
  } catch (err) {
    if (!stopRequested.aborted) {
      // A failed start stops what it started (the private server, the hub-url file) before it is
      // reported, rather than leaving the database to the watchdog and hub-url naming it.
      await started.stopAll(logger);
      throw err;
    }
    // Also when the step failed of the signal rather than stopping at its safe point (a child
    // process of its own killed by the same Ctrl-C): that failure is the stop.
    const { signal } = stopRequested.reason as StopRequested;
    const failed = err === stopRequested.reason ? {} : { err: loggableError(err) };
    logger.info({ signal, step: startUp.step, ...failed }, 'stopped during start-up');
    process.exit((await started.stopAll(logger)) ? 0 : 1);
  }
  const signal = await stopped(stopRequested);
  // SIGTERM is how a service manager or an orchestrator stops a replica behind a load balancer:
  // unready at once, still serving for the drain, then the port closes. Ctrl-C (SIGINT) is a
  // person at a terminal, and stops at once.
  const drainMs = startUp.serving?.drainMs ?? 0;
  if (signal === 'SIGTERM' && drainMs > 0) {
    startUp.serving!.drain();
    logger.info({ signal, drainMs }, 'draining: /readyz answers 503, requests are still served until the port closes');
    await new Promise((resolve) => setTimeout(resolve, drainMs));
  }
  logger.info({ signal }, 'shutting down');
  process.exit((await started.stopAll(logger)) ? 0 : 1);
}

main().catch((err) => {
  // A variable, a locality file or a start-up check refused: `error: CODE: …` (README, Configuration).
  if (isConfigRefusal(err)) {
    console.error(configErrorLine(err));
    process.exit(configExitCode(err)!);
  }
  const code = startModule?.startExitCode(err) ?? null;
  if (code !== null) {
    // Exit 2 is something to correct before starting again, with its code as the refusals above.
    console.error(code === 2 && typeof err.code === 'string' ? configErrorLine(err) : err.message);
    process.exit(code);
  }
  console.error(err);
  process.exit(1);
});
