/**
 * The checkpoint-file locks a test's hubs leave behind. A hub holds its AUDIT_CHECKPOINT_FILE by a
 * lock in the machine's temporary directory (access/checkpoints.ts holdCheckpointFile) and removes
 * it on a clean stop; one killed with SIGKILL cannot, so a test that kills hubs (or stops one that
 * does not end within its grace, or fails midway) left an `aidhub-checkpoint-<hash>.lock` in
 * os.tmpdir() per killed hub. The name is derived as the hub derives it (checkpointLockPath, from
 * the file's real path), so only the locks of the test's own files are removed, never another
 * run's: call it before the files' folder is removed (the real path is read from it).
 */
import fs from 'node:fs';
import { checkpointLockPath, privateServerAuditFiles } from '../../access/checkpoints';

/** The checkpoint file of a hub started on its private server in `dataDir` (AIDHUB_DATA_DIR; the checkout's .data without), given no AUDIT_CHECKPOINT_FILE. */
export function privateServerCheckpointFile(dataDir: string | undefined): string {
  return privateServerAuditFiles(dataDir === undefined ? {} : { AIDHUB_DATA_DIR: dataDir }).checkpoints;
}

/** The process id a lock names, or null (no lock, or not one: cut mid-write). */
function lockHolderPid(lock: string): number | null {
  try {
    const pid = (JSON.parse(fs.readFileSync(lock, 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Removes the lock of each of `files` a hub left; with `heldBy`, only a lock naming that process
 * (a hub that has ended: one that took the lock over since keeps it). A file whose folder is gone
 * (or was never made) had no hub, and no lock to find.
 */
export function removeCheckpointLocks(files: readonly string[], heldBy?: number): void {
  for (const file of files) {
    let lock: string;
    try {
      lock = checkpointLockPath(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    if (heldBy === undefined || lockHolderPid(lock) === heldBy) fs.rmSync(lock, { force: true });
  }
}
