/**
 * A pino logger whose JSON lines a test reads back (`lines`, parsed, in order): what a hub given it
 * logged, to assert on what an operator is told and that no person is named.
 */
import { Writable } from 'node:stream';
import pino from 'pino';

export function capturedLog(level: pino.Level = 'debug'): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
