/**
 * Apollo Server negotiates the media type of every GraphQL request at least once (requestPipeline's
 * `useLegacyIncremental`, and, when the request sends an Accept header, the answer's content type),
 * each time with a new `Negotiator` whose `mediaType` parses the Accept header (a missing one as
 * `*\/*`) and every offered type with its parameters, and sorts them: about 0.1 M instructions a
 * household query (docs/performance.md, session 34), for an answer that depends only on the header
 * and the offered types, and a client sends the same header on every request.
 *
 * `Negotiator.prototype.mediaType` is replaced by one that keeps the answer for a header and a list
 * of offered types (strings) it has seen, up to `KEPT` pairs; past them, and for any other call (no
 * list, a list of something else), negotiator's own answers, unchanged. The answer is a string or
 * undefined, so a kept one cannot be changed by a caller. Express's `req.accepts` calls
 * `mediaTypes`, which is left alone. Every user of the one negotiator module (Apollo, Express's
 * accepts) shares the replacement.
 */
import { createRequire } from 'node:module';

const apolloRequire = createRequire(require.resolve('@apollo/server'));

/** The most header and offer pairs kept: a few clients send a few headers; a stranger's headers past these are negotiated each time. */
export const KEPT = 256;

/** Header values longer than this are negotiated each time, not kept. */
const LONGEST_KEPT_HEADER = 512;

type MediaType = (this: { request: { headers: { accept?: unknown } } }, available?: unknown) => string | undefined;

let installed = false;

/** Makes negotiator's `mediaType` answer a header and offer it has answered before from memory. Idempotent. */
export function keepNegotiatedMediaTypes(): void {
  if (installed) return;
  const Negotiator = apolloRequire('negotiator') as { prototype: Record<string, unknown> };
  const own = Object.getOwnPropertyDescriptor(Negotiator.prototype, 'mediaType');
  if (!own || !own.writable || typeof own.value !== 'function') return;
  const original = own.value as MediaType;
  const kept = new Map<string, string | undefined>();
  Negotiator.prototype.mediaType = function mediaType(this: ThisParameterType<MediaType>, available?: unknown) {
    const accept = this.request?.headers?.accept;
    const key = keyOf(accept, available);
    if (key === null) return original.call(this, available);
    if (kept.has(key)) return kept.get(key);
    const answer = original.call(this, available);
    if (kept.size < KEPT) kept.set(key, answer);
    return answer;
  } satisfies MediaType;
  installed = true;
}

/** The memory's key for a header and an offer, or null when the call is not one kept. */
function keyOf(accept: unknown, available: unknown): string | null {
  if (accept !== undefined && (typeof accept !== 'string' || accept.length > LONGEST_KEPT_HEADER || accept.includes('\u0000'))) return null;
  if (!Array.isArray(available)) return null;
  let key = accept === undefined ? '\u0000' : `\u0001${accept}`;
  for (const type of available) {
    if (typeof type !== 'string') return null;
    key += `\u0000${type}`;
  }
  return key;
}
