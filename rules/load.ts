/**
 * Loads the rule set: `rules/default.json` (reviewed like code), with a locality's override file
 * on top when AIDHUB_RULES_FILE names one. Checked once, at start-up: a bad file stops the hub
 * with a message naming the rule and the field (RuleSetError).
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildRuleSet, RuleSetError, type RuleSet } from '../domain/findings/rule-set';
import { userPath } from '../domain/user-path';

export const DEFAULT_RULES_FILE = path.join(__dirname, 'default.json');
export const RULES_FILE_ENV = 'AIDHUB_RULES_FILE';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new RuleSetError(`cannot read rule file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, null, null, 'FILE_UNREADABLE');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RuleSetError(`rule file ${file} is not valid JSON: ${(err as Error).message}`, null, null, 'MALFORMED_JSON');
  }
}

/** The rule set for these settings, read fresh. */
export function loadRuleSet(env: NodeJS.ProcessEnv = process.env): RuleSet {
  const overrideFile = env[RULES_FILE_ENV] ? userPath(env[RULES_FILE_ENV], env) : null;
  return buildRuleSet(readJson(DEFAULT_RULES_FILE), overrideFile ? readJson(overrideFile) : null, {
    defaults: path.relative(process.cwd(), DEFAULT_RULES_FILE) || DEFAULT_RULES_FILE,
    override: overrideFile ?? undefined,
  });
}

let active: { key: string; ruleSet: RuleSet } | null = null;

/**
 * The rule set in force, loaded on first use and kept; a changed AIDHUB_RULES_FILE is picked up
 * (tests switch it). The server calls this while starting so that a bad file fails the start.
 */
export function activeRuleSet(env: NodeJS.ProcessEnv = process.env): RuleSet {
  const key = env[RULES_FILE_ENV] ?? '';
  if (active?.key !== key) active = { key, ruleSet: loadRuleSet(env) };
  return active.ruleSet;
}
