/**
 * What follows the hub's work through its promises: the id of the request it serves (its log lines
 * carry it, access/request-id.ts) and the abandonable scope of a department read (db/abandon.ts).
 *
 * One AsyncLocalStorage holds both. Node 20 runs one promise hook for all storages, and in it
 * copies every enabled storage's value onto every promise the process makes, each storage under a
 * property of its own: a second storage was a second call and a second property (a second change of
 * the promise's shape) on each of the ~300 promises of a household query. A scope entered keeps the
 * other part of the context it is entered in, so either part reads as if it had a storage of its own.
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

/** One shape for every context, so that reading either part stays monomorphic. */
class AsyncContext {
  constructor(
    readonly requestId: string | undefined,
    readonly abandonScope: AbandonScope | undefined,
  ) {}
}

const storage = new AsyncLocalStorage<AsyncContext>();

/** `fn` as the work of request `requestId`; an abandonable scope it is entered in stays in force. */
export function runAsRequest<T>(requestId: string, fn: () => T): T {
  return storage.run(new AsyncContext(requestId, storage.getStore()?.abandonScope), fn);
}

/** `fn` in abandonable scope `scope`; the request it is entered in stays the request. */
export function runAbandonable<T>(scope: AbandonScope, fn: () => T): T {
  return storage.run(new AsyncContext(storage.getStore()?.requestId, scope), fn);
}

/** The id of the request being served in this async context, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The abandonable scope this async context runs in, if any. */
export function currentAbandonScope(): AbandonScope | undefined {
  return storage.getStore()?.abandonScope;
}
