/**
 * Loads the monitoring trigger set: `rules/triggers.json` (reviewed like code), with a locality's
 * override on top when AIDHUB_TRIGGERS_FILE names one. Checked once, at start-up, like the rule set
 * (rules/load.ts): a bad file stops the hub with a message naming the trigger and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildTriggerSet, TriggerSetError, type TriggerSet } from '../domain/monitoring/triggers';
import { userPath } from '../domain/user-path';
import { activeRuleSet } from './load';

export const DEFAULT_TRIGGERS_FILE = path.join(__dirname, 'triggers.json');
export const TRIGGERS_FILE_ENV = 'AIDHUB_TRIGGERS_FILE';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TriggerSetError(`cannot read trigger file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, null, null, 'FILE_UNREADABLE');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TriggerSetError(`trigger file ${file} is not valid JSON: ${(err as Error).message}`, null, null, 'MALFORMED_JSON');
  }
}

export function loadTriggerSet(env: NodeJS.ProcessEnv = process.env): TriggerSet {
  const overrideFile = env[TRIGGERS_FILE_ENV] ? userPath(env[TRIGGERS_FILE_ENV], env) : null;
  const rules = activeRuleSet(env).rules;
  const ruleIds = new Set(rules.map((r) => r.id));
  const householdRuleIds = new Set(rules.filter((r) => r.kind === 'MISSED_AID' && r.when.some((c) => c.fact === 'HOUSEHOLD_HOLDS')).map((r) => r.id));
  return buildTriggerSet(
    readJson(DEFAULT_TRIGGERS_FILE),
    overrideFile ? readJson(overrideFile) : null,
    { defaults: path.relative(process.cwd(), DEFAULT_TRIGGERS_FILE) || DEFAULT_TRIGGERS_FILE, override: overrideFile ?? undefined },
    ruleIds,
    householdRuleIds,
    new Map(rules.flatMap((r) => (r.kind === 'AID_AFTER_DEATH' && r.enabled ? [[r.id, r.graceMonths] as const] : []))),
  );
}

let active: { key: string; set: TriggerSet } | null = null;

/** The trigger set in force, loaded on first use; the server calls it while starting. */
export function activeTriggerSet(env: NodeJS.ProcessEnv = process.env): TriggerSet {
  const key = `${env[TRIGGERS_FILE_ENV] ?? ''}|${env.AIDHUB_RULES_FILE ?? ''}`;
  if (active?.key !== key) active = { key, set: loadTriggerSet(env) };
  return active.set;
}
