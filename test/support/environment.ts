/**
 * The tests' environment: jest's node environment, and a check that each test file leaves
 * nothing running when it ends. A pool whose sockets are still closing, a child process not yet
 * reaped, a server not closed, a timer not cleared: any of them keeps the jest worker alive after
 * its last file, and jest then kills it with "a worker process has failed to exit gracefully"
 * (intermittently: only when the leaky file happens to run last in a worker). Here the file that
 * left it fails, every time, naming what it left (test/support/open-handles.ts).
 */
import path from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { leftOpen, openNow, type Snapshot } from './open-handles';

export default class HandleCheckingEnvironment extends TestEnvironment {
  private readonly file: string;
  private before: Snapshot | null = null;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.file = path.relative(config.globalConfig.rootDir, context.testPath);
  }

  override async setup(): Promise<void> {
    await super.setup();
    this.before = openNow();
  }

  /** After the file's last afterAll hook: what is still open fails the file, its tests' results kept. */
  async handleTestEvent(event: Circus.AsyncEvent, state: Circus.State): Promise<void> {
    if (event.name !== 'run_finish' || !this.before) return;
    const left = await leftOpen(this.before);
    if (left.length === 0) return;
    state.unhandledErrors.push(
      new Error(
        `${this.file} left these open after its last hook:\n  ${left.join('\n  ')}\n` +
          'Close each one in afterAll and await the closing (for a child process: its "close" event). ' +
          `For where each was opened: npx jest --detectOpenHandles ${this.file}`,
      ),
    );
  }
}
