/**
 * The client process of bench/household-instructions.ts: asks the household query of each id in
 * turn, one at a time, and answers with the digests of the counted answers.
 */
import crypto from 'node:crypto';
import { digest } from './compare';
import { graphqlClient } from './graphql-client';
import { HOUSEHOLD_QUERY, type HouseholdResult } from './query';

interface Start {
  kind: 'start';
  url: string;
  headers: Record<string, string>;
  ids: number[];
  warm: number;
}

async function ask(client: ReturnType<typeof graphqlClient>, ids: readonly number[]): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    const res = await client.post<{ household: HouseholdResult | null }>(HOUSEHOLD_QUERY, { id: String(id) });
    if (res.status !== 200 || res.errors?.length || !res.data) throw new Error(`household ${id} answered HTTP ${res.status}: ${JSON.stringify(res.errors)}`);
    out.push(digest(res.data.household));
  }
  return out;
}

process.on('message', (m: Start | { kind: 'go' }) => {
  if (m.kind !== 'start') return;
  const client = graphqlClient(m.url, 1, m.headers);
  void (async () => {
    await ask(client, m.ids.slice(0, m.warm));
    await new Promise<void>((resolve) => {
      process.on('message', (g: { kind: string }) => g.kind === 'go' && resolve());
      process.send!({ kind: 'warmed' });
    });
    // Time idle in the counted window first, to count what the hub does on a clock alone.
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.HOUSEHOLD_IDLE_MS ?? 0)));
    const digests = await ask(client, m.ids.slice(m.warm));
    const all = crypto.createHash('sha256').update(digests.join('\n')).digest('hex').slice(0, 16);
    const records = digests.reduce((n, d) => n + Number(/aid records (\d+)/.exec(d)?.[1] ?? 0), 0);
    process.send!({ kind: 'done', summary: `${digests.length} answers, ${records} aid records, digest ${all}` });
  })().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
});
