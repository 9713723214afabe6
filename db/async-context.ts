/**
 * What follows the hub's work through its promises: the id of the request it serves (its log lines
 * carry it, access/request-id.ts).
 *
 * A department read's abandonable scope was held here too until session 31; it now reaches the
 * read's statements through the database handle the read is given (db/abandon.ts), so a household
 * query enters this storage once, for its request, instead of once more per department read.
 *
 * db/instrument.ts's statement counter keeps a storage of its own: it is entered outside production
 * only (server/app.ts), where a storage's cost does not matter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<string>();

/** `fn` as the work of request `requestId`. */
export function runAsRequest<T>(requestId: string, fn: () => T): T {
  return storage.run(requestId, fn);
}

/** The id of the request being served in this async context, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore();
}
