/**
 * What follows the hub's work through its promises: the abandonable scope of a department read
 * (db/abandon.ts). A request's id no longer does: it reaches the request's log lines through the
 * request's logger (access/request-id.ts requestLogger).
 *
 * db/instrument.ts's statement counter keeps a storage of its own: it is entered outside production
 * only (server/app.ts), where a storage's cost does not matter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What a scope's statements need to know of it (db/abandon.ts `Scope`). */
export interface AbandonScope {
  readonly abandoned: boolean;
  readonly running: Set<() => void>;
}

const storage = new AsyncLocalStorage<AbandonScope>();

/** `fn` in abandonable scope `scope`. */
export function runAbandonable<T>(scope: AbandonScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The abandonable scope this async context runs in, if any. */
export function currentAbandonScope(): AbandonScope | undefined {
  return storage.getStore();
}
