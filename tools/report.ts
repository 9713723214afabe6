/**
 * Sends a reporter's CSV file of aid to a running hub (tools/report/index.ts):
 *
 *   npm run report -- --file aid.csv [--hub http://127.0.0.1:4000] [--token T] [--officer ID]
 *
 * The token is the reporter client's (default: $AIDHUB_TOKEN). `--officer` names the office's
 * officer the report is sent for (sent as X-Officer and kept on every entry it records), checked as
 * the hub checks the header before anything is read: an ID number in it is OFFICER_ID_NUMBER, any
 * other value not a staff identifier MALFORMED_OFFICER (exit 2, the value never printed); a client
 * that must name its officer is refused OFFICER_REQUIRED without one (exit 1). The whole file is one batch: any bad
 * row refuses it, nothing is written, and every problem is printed with its line. Sending the same
 * file again changes nothing. A file with bad cells is still checked by the hub (a dry run, nothing
 * written), so one run prints its problems and the hub's, each by the line an editor shows. The file
 * is UTF-8 CSV (a GBK or UTF-16 file is refused, ENCODING_NOT_UTF8; an Excel workbook, SPREADSHEET_NOT_CSV) of at most 1,000 records. Exit status: 0 recorded, 1 refused or the hub unreachable (HUB_UNREACHABLE), 2 usage error
 * (a --hub that is no http(s) address, a --file that does not exist, an --officer refused).
 */
import { reportFile } from './report/index';
import { isParseArgsError, printUsageError, quietWhenReaderLeaves, UsageError } from './command-args';
import { reportCommandLine, USAGE, type ReportCommand } from './report/command-line';

async function main(): Promise<number> {
  let args: ReportCommand;
  try {
    args = reportCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError) && !isParseArgsError(err)) throw err;
    printUsageError(err as Error, USAGE);
    return 2;
  }
  if (args.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { file, hub, token, officer } = args;
  const out = await reportFile(hub, token, file, { officer });
  for (const p of out.problems) console.error(`${args.fileGiven}${p.line ? `:${p.line}` : ''}: ${p.code}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
  if (out.problems.length > 0) {
    console.error(`${out.problems.length} problem(s); nothing was recorded.`);
    return 1;
  }
  for (const c of out.conflicts) console.log(`${args.fileGiven}:${c.line}: ${c.severity} ${c.rule}: ${c.explanation}`);
  // Recorded all the same; its check could not see what these departments hold.
  for (const c of out.incomplete) console.log(`${args.fileGiven}:${c.line}: CHECK_INCOMPLETE: ${c.departments.join(', ')} did not answer; conflicts with their aid are not known`);
  for (const at of out.settlementsUnknown) console.log(`${args.fileGiven}:${at}: SETTLEMENT_UNKNOWN: medical insurance holds no standing settlement under settlement_ref (mistyped, or reversed); no stay's sum counts this aid until it is corrected`);
  const incomplete = out.incomplete.length > 0 ? `, checks incomplete ${out.incomplete.length}` : '';
  console.log(`recorded ${out.recorded}, already recorded ${out.alreadyRecorded}, conflicts ${out.conflicts.length}${incomplete}`);
  return 0;
}

quietWhenReaderLeaves();
main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`report: ${(err as Error).message}`);
    process.exitCode = 1;
  },
);
