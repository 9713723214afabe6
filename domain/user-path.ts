/**
 * Where a relative path the user gave is relative to: a path-valued variable (AIDHUB_DATA_DIR,
 * AIDHUB_RULES_FILE, AUDIT_SIGNING_KEY_FILE …) or a tool's file option (--dir, --file …). A user
 * means the directory they typed the command in; but npm runs every script in the repository root
 * (`npm --prefix /srv/aidhub start`, `cd docs && npm start`), and says where the command was typed
 * in INIT_CWD. Run without npm (node, tsx), that is the process's own directory. An absolute path
 * is kept as it is.
 */
import path from 'node:path';

/** The directory relative paths are taken from. */
export function userDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.INIT_CWD || process.cwd();
}

/** `value`, made absolute from the directory the command was typed in. */
export function userPath(value: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(userDir(env), value);
}

/** A path as the user would type it from where they are, for messages; the absolute path when that is no shorter. */
export function shownPath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  const relative = path.relative(userDir(env), file);
  return relative && relative.length < file.length ? relative : file;
}
