/**
 * Configuration, all from the environment, so the same build runs in a township test room and in
 * the city's data centre. Each department source has a URL of its own; unset, it defaults to a
 * database of its own on the hub's server (`<hub database>_<department>`).
 */
import { DEPARTMENT_CODES, type DepartmentCode } from '../domain/departments';

export interface SourceConfig {
  url: string;
  /** A department slower than this is reported unavailable; the rest of the answer still goes out. */
  timeoutMs: number;
}

export interface HubConfig {
  hubUrl: string;
  sources: Record<DepartmentCode, SourceConfig>;
  port: number;
  host: string;
  production: boolean;
  /** Hard cap on `households(ids:)` and every other list argument. */
  maxListSize: number;
  /** Static limits on a GraphQL document (graphql-armor and the parser), checked before it runs. */
  queryLimits: QueryLimits;
  /** Requests per minute per API client; past it, 429 RATE_LIMITED. Kept in this process's memory. */
  rateLimitPerMinute: number;
  /** Failed authentications per minute per remote address; past it, 429 RATE_LIMITED. */
  authFailuresPerMinute: number;
}

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
}

/** Generous for the hub's real queries (a case dossier nests about 8 deep), tight for abuse. */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 20_000, maxAliases: 20, maxDirectives: 10, maxTokens: 2_000 };

export function departmentEnvName(code: DepartmentCode): string {
  return `SOURCE_${code}_URL`;
}

export function departmentDatabaseName(hubDatabase: string, code: DepartmentCode): string {
  return `${hubDatabase}_${code.toLowerCase()}`;
}

/** Replaces the database in a mysql:// URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`the URL ${redactUrl(url)} names no database`);
  return name;
}

/** A URL with its password hidden, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function sourceUrls(hubUrl: string, env: NodeJS.ProcessEnv = process.env): Record<DepartmentCode, string> {
  const hubDb = databaseOf(hubUrl);
  return Object.fromEntries(
    DEPARTMENT_CODES.map((code) => [code, env[departmentEnvName(code)] || withDatabase(hubUrl, departmentDatabaseName(hubDb, code))]),
  ) as Record<DepartmentCode, string>;
}

export function loadConfig(hubUrl: string, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const timeoutMs = positiveInt(env, 'SOURCE_TIMEOUT_MS', 2000);
  const urls = sourceUrls(hubUrl, env);
  return {
    hubUrl,
    sources: Object.fromEntries(
      DEPARTMENT_CODES.map((code) => [code, { url: urls[code], timeoutMs: positiveInt(env, `SOURCE_${code}_TIMEOUT_MS`, timeoutMs) }]),
    ) as Record<DepartmentCode, SourceConfig>,
    port: positiveInt(env, 'PORT', 4000),
    host: env.HOST || '127.0.0.1',
    production: env.NODE_ENV === 'production',
    maxListSize: positiveInt(env, 'MAX_LIST_SIZE', 500),
    queryLimits: {
      maxDepth: positiveInt(env, 'MAX_QUERY_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth),
      maxCost: positiveInt(env, 'MAX_QUERY_COST', DEFAULT_QUERY_LIMITS.maxCost),
      maxAliases: positiveInt(env, 'MAX_QUERY_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases),
      maxDirectives: positiveInt(env, 'MAX_QUERY_DIRECTIVES', DEFAULT_QUERY_LIMITS.maxDirectives),
      maxTokens: positiveInt(env, 'MAX_QUERY_TOKENS', DEFAULT_QUERY_LIMITS.maxTokens),
    },
    rateLimitPerMinute: positiveInt(env, 'RATE_LIMIT_PER_MINUTE', 600),
    authFailuresPerMinute: positiveInt(env, 'AUTH_FAILURES_PER_MINUTE', 60),
  };
}
