/**
 * A keyed case write's fingerprint (`case_request.request_hash`): what a retry under the same key
 * must repeat, so that the key with another request is refused (IDEMPOTENCY_KEY_REUSED) and, for a
 * key stored per office before per-client keys, is not taken for this client's retry
 * (db/cases/write.ts legacyRetry).
 *
 * The rule is the SHA-256 of the mutation's name and its input, key left out, as graphql-js coerces
 * it (field by field in the order of its type, so the same request hashes the same). What the input
 * is changed with the release: from cdc42c25 an ID number in prose reaches the resolver masked, and
 * from e8794549 prose that shows nothing reaches it as "" (resolvers/text-inputs.ts). A release
 * before the first hashed the summary as typed, so a retry sent across the upgrade met a fingerprint
 * this release never computes and opened a second case. The earlier forms are computed too, from
 * the input as sent (resolvers/date-ranges.ts argumentAsSent), and any of them is this request's;
 * only the current form is stored, so no fingerprint over an ID number in clear is written again.
 * Each form is a function of the request alone: a different request matches none of them (unless it
 * differs only in what every form reads alike, as the masked digits of an ID number).
 */
import { createHash } from 'node:crypto';
import { argumentAsSent } from '../date-ranges';

export interface RequestFingerprints {
  /** This release's fingerprint: the one stored with the key. */
  current: string;
  /** Every form an earlier release may have stored for the same request (the current one among them). */
  accepted: readonly string[];
}

function fingerprint(mutation: string, input: Record<string, unknown>): string {
  const { idempotencyKey: _key, ...rest } = input;
  return createHash('sha256').update(JSON.stringify([mutation, rest])).digest('hex');
}

/**
 * The input as a release between cdc42c25 and e8794549 hashed it: prose masked, but prose that
 * shows nothing as sent (this release reads it as "", which no ID number ever is).
 */
function blankAsSent(current: unknown, sent: unknown): unknown {
  if (typeof current === 'string') return current === '' && typeof sent === 'string' ? sent : current;
  if (typeof current !== 'object' || current === null || typeof sent !== 'object' || sent === null) return current;
  if (Array.isArray(current)) return current.map((v, i) => blankAsSent(v, (sent as unknown[])[i]));
  return Object.fromEntries(Object.entries(current).map(([k, v]) => [k, blankAsSent(v, (sent as Record<string, unknown>)[k])]));
}

export function requestFingerprints(mutation: string, input: object): RequestFingerprints {
  const given = input as Record<string, unknown>;
  const sent = argumentAsSent(given);
  const current = fingerprint(mutation, given);
  const earlier = sent === given ? [] : [fingerprint(mutation, sent), fingerprint(mutation, blankAsSent(given, sent) as Record<string, unknown>)];
  return { current, accepted: [...new Set([current, ...earlier])] };
}
