/** Structured logs (pino). Callers log codes and counts, never ID numbers or names. */
import pino from 'pino';

export function createLogger(): pino.Logger {
  return pino({ level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'), base: { service: 'aidhub' } });
}
