/**
 * `node --import tsx test/support/seal-standing-process.ts <hub url> <batch>`: the first start's
 * sealing of the rows standing (db/cases/seals.ts sealStanding) in a process of its own, for a test
 * to kill with SIGKILL in the middle (test/cases-seals-scale). Prints `sealed N` at the end.
 */
import { createPool, hubDrizzle } from '../../db/connect';
import { sealStanding } from '../../db/cases/seals';

async function main(): Promise<void> {
  const [url, batch] = process.argv.slice(2);
  const pool = createPool(url, { connectionLimit: 1 });
  try {
    // A pause between batches, so that a kill lands between two as often as inside one.
    const sealed = await sealStanding(hubDrizzle(pool), { batch: Number(batch), afterBatch: () => new Promise((r) => setTimeout(r, 20)) });
    process.stdout.write(`sealed ${sealed}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
