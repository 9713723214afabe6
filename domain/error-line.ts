/**
 * How a refusal is printed, `error: CODE: message`: the one formatter of such lines, for the
 * configuration's (a ConfigError, a locality file's, a start-up check's; db/config.ts re-exports it)
 * and a tool's refusal of its caller's mistake alike (tools/command-args.ts usageErrorLine). Here,
 * with nothing imported, so that a tool which only parses its command line (codegen) does not load
 * the hub's configuration to print one (test/codegen.test.ts).
 */
export function configErrorLine(err: { code: string; message: string }): string {
  return `error: ${err.code}: ${err.message}`;
}
