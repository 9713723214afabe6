/** Tests run against a real MariaDB/MySQL server: the one AIDHUB_TEST_DATABASE_URL names, or a private one. */
module.exports = {
  // jest's node environment, failing a test file that leaves a socket, server, process or timer open.
  testEnvironment: '<rootDir>/test/support/environment.ts',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/federation/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  // A worker keeps 15–30 MB of every test file it ran (the hubs' modules, mysql2's parsers); past
  // a gigabyte, a loaded machine takes longer than jest's 500 ms grace to tear the process down,
  // and jest reports a worker that "failed to exit gracefully" though it holds no handle (the
  // environment above checks that). Recycling a worker that has grown past this bounds it.
  workerIdleMemoryLimit: '600MB',
  // How long jest waits for a worker to exit at the end before it kills it and prints "a worker
  // process has failed to exit gracefully" (default 500 ms). The environment above proves each file
  // leaves nothing open, so a worker's exit needs only the process's own teardown; on a machine at
  // load 20 with 2 cores (a fresh-clone run beside other work) that took longer than half a second.
  workerGracefulExitTimeout: 5000,
};
