/**
 * How `npm start` stops, at any moment of its life. The handlers are installed before anything is
 * started: a SIGTERM or Ctrl-C while the private database starts, migrations run or the demo loads
 * used to kill the hub outright (the default handler), so a service manager saw a crash and the
 * pools, the private server and the files beside its data were left to chance.
 *
 * The first SIGTERM or SIGINT aborts `stopRequested`: start-up stops at its next safe point, a
 * serving hub shuts down; either way `Started` then stops what has been started so far, the last
 * started first. A repeated signal is ignored: npm relays a terminal's Ctrl-C to the hub, which has
 * already had it from the terminal (same process group), so one Ctrl-C arrives twice. Whoever
 * cannot wait sends SIGKILL; the private server's watchdog then stops the database, and an
 * unfinished demo load's marker stays (server/main.ts).
 */
import type { Logger } from 'pino';
import { loggableError } from '../domain/privacy';

/** The reason `stopRequested` is aborted with, which start-up steps rethrow at their safe points. */
export class StopRequested extends Error {
  override name = 'StopRequested';
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
  }
}

/** Installs the SIGTERM and SIGINT handlers; the signal they abort on the first of them. */
export function stopOnSignals(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(new StopRequested(signal));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return controller.signal;
}

/** The signal that stopped it: at once if it already has been, else once it is. */
export function stopped(stopRequested: AbortSignal): Promise<NodeJS.Signals> {
  const signalOf = () => (stopRequested.reason as StopRequested).signal;
  if (stopRequested.aborted) return Promise.resolve(signalOf());
  return new Promise((resolve) => stopRequested.addEventListener('abort', () => resolve(signalOf()), { once: true }));
}

/** What start-up has started, each with how it stops, registered as it starts. */
export class Started {
  private readonly stops: { what: string; stop: () => unknown }[] = [];

  add(what: string, stop: () => unknown): void {
    this.stops.push({ what, stop });
  }

  /**
   * Stops everything registered, the last started first; a step that fails is logged and the
   * others still run. False when one failed.
   */
  async stopAll(logger: Logger): Promise<boolean> {
    let clean = true;
    for (const { what, stop } of this.stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        clean = false;
        logger.error({ step: what, err: loggableError(err) }, 'shutdown step failed');
      }
    }
    return clean;
  }
}
