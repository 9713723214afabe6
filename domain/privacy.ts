/**
 * Personal data never reaches a log in clear. Anything that looks like an ID number (18
 * characters) or a disability certificate number (20) is masked before text is logged.
 */
const ID_LIKE = /\b(\d{6})\d{8,10}(\d{3}[\dXx])\b/g;

export function scrub(text: string): string {
  return text.replace(ID_LIKE, (_m, head: string, tail: string) => `${head}********${tail}`);
}

/**
 * What of an error may be logged. A driver's error (and drizzle's, which wraps it) carries the
 * statement and its parameters in its message: ID numbers, names, amounts. Of those only the
 * driver's code is kept (ER_BAD_DB_ERROR, ETIMEDOUT, …), which tells an operator what failed. Any
 * other error keeps its message, scrubbed.
 */
export function loggableError(err: unknown): { name: string; code?: string; message?: string } {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const name = String(e.name ?? typeof err);
  const code = e.cause?.code ?? e.code;
  if (typeof code === 'string' || typeof code === 'number') return { name, code: scrub(String(code)) };
  const message = String(e.message ?? '');
  // No code, but a statement: drizzle's "Failed query: … params: …" without a driver cause.
  if (/^Failed query:/i.test(message)) return { name };
  return { name, message: scrub(message) };
}
