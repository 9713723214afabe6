/**
 * The hostile sweeps' way of sending (test/hostile-dates.test.ts, test/hostile-scalars.test.ts):
 * probes go to a hub in its own process in rounds; each round also asks `/healthz` once per probe,
 * and ends only when all of its requests have answered. So `/healthz` answers once per hostile
 * request while the hostile batch is in flight, or the sweep shows it: nothing here measures
 * milliseconds, and every request has a generous timeout of its own. A round with a failure ends
 * the batch: the hub is stuck, and further rounds would only wait.
 */
export const REQUEST_TIMEOUT_MS = 20_000;

export interface Outcome<P, A> {
  probe: P;
  answer?: A;
  failure?: string;
}

export interface Rounds<P, A> {
  outcomes: Outcome<P, A>[];
  /** How many of the /healthz requests answered ok. */
  healthAnswers: number;
  /** The errors of those that did not answer at all. */
  healthFailures: string[];
}

/** `/healthz` of the hub at `url` answers ok. */
export async function healthz(url: string): Promise<boolean> {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return res.status === 200 && ((await res.json()) as { status: string }).status === 'ok';
}

export async function inRounds<P, A>(url: string, probes: readonly P[], roundSize: number, send: (probe: P) => Promise<A>): Promise<Rounds<P, A>> {
  const out: Rounds<P, A> = { outcomes: [], healthAnswers: 0, healthFailures: [] };
  for (let i = 0; i < probes.length; i += roundSize) {
    const round = probes.slice(i, i + roundSize);
    const [results, health] = await Promise.all([
      Promise.all(round.map((probe) => send(probe).then((answer) => ({ probe, answer }), (err: Error) => ({ probe, failure: `no answer (${err.name})` })))),
      Promise.all(round.map(() => healthz(url).then((ok) => ok, (err: Error) => (out.healthFailures.push(err.name), false)))),
    ]);
    out.outcomes.push(...results);
    out.healthAnswers += health.filter(Boolean).length;
    if (results.some((r) => 'failure' in r) || health.some((ok) => !ok)) break;
  }
  return out;
}
