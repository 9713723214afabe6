/**
 * Waits for a condition read from real servers: reads until `ok` holds, every `everyMs`, and fails
 * naming what it waited for and the last value read once `timeoutMs` has passed (a generous bound
 * for a loaded machine, not a timing under test).
 */
export async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 120_000, everyMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
