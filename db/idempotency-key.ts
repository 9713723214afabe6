import { createHash } from 'node:crypto';
import { char } from 'drizzle-orm/mysql-core';

/**
 * Idempotency keys compared exactly, byte for byte. A key kept in a VARCHAR column compares under
 * the table's collation: `K1`, `k1` and `K1 ` are one key there (case-insensitive and PAD SPACE;
 * utf8mb4_bin pads too), so a second, different request was answered with the first's outcome. A
 * binary collation on the existing column is not an option either: TiDB does not change the
 * collation of an indexed column. So each keyed table carries the SHA-256 of its scoped key
 * (`<scope>:<key>`, the scope the office and client, or the client's name, none of which holds a
 * `:`) and its unique index is on that digest; the key itself stays as sent, for display and audit
 * (case_request keeps the digest alone, in its primary key column: the key is its case event's).
 *
 * The digest is lowercase hex, made here from the key's UTF-8 bytes. The migrations that filled it
 * for keys stored before wrote `SHA2(<scoped key>, 256)` of the utf8mb4 column: the same bytes
 * hashed, the same lowercase hex (test/idempotency-keys.test.ts compares the two on the server,
 * non-ASCII keys among them). Lowercase hex on both sides makes the column's collation harmless.
 */
export function keyDigest(scopedKey: string): string {
  return createHash('sha256').update(scopedKey, 'utf8').digest('hex');
}

/** A column holding keyDigest of a table's scoped idempotency key. */
export const keyDigestColumn = (name: string) => char(name, { length: 64 });
