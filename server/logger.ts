/** Structured logs (pino). Callers log codes and counts, never ID numbers or names. */
import pino from 'pino';
import { logLevelFromEnv } from '../db/config';

/** LOG_LEVEL is checked (ConfigError naming it): pino's own refusal did not say which variable. */
export function createLogger(): pino.Logger {
  return pino({ level: logLevelFromEnv(process.env, process.env.NODE_ENV === 'test' ? 'silent' : 'info'), base: { service: 'aidhub' } });
}
