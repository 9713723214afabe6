/**
 * A 2027 holiday notice of the kind the State Council publishes (illustrative, not the real one):
 * 02-05 to 02-13 off for 春节, Saturday 02-20 worked. The recounts of stored working-day dates
 * load it through AIDHUB_HOLIDAYS_FILE (test/cases/due-recount.test.ts, test/charity/claim-recount.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HOLIDAYS_FILE_ENV } from '../../domain/cases/holiday-notices';
import { statutoryHolidays } from '../../domain/cases/statutory-holidays';

export const notice2027 = {
  year: 2027,
  basis: '国务院办公厅关于2027年部分节假日安排的通知（示例）',
  holidays: {
    ...Object.fromEntries(statutoryHolidays(2027)),
    ...Object.fromEntries(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-13'].map((d) => [d, '春节'])),
  } as Record<string, string>,
  workdays: { '2027-02-20': '春节' } as Record<string, string>,
};

/**
 * Switches AIDHUB_HOLIDAYS_FILE within a test file: `use(name, notices)` writes the notices to a file
 * of a private folder and names it (null: no file, the package table and the law alone);
 * `restore()` puts the variable back as it was and removes the folder.
 */
export function holidayFiles(prefix: string): { use(name: string | null, notices?: readonly object[]): void; restore(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const saved = process.env[HOLIDAYS_FILE_ENV];
  return {
    use(name, notices = []) {
      if (name === null) return void delete process.env[HOLIDAYS_FILE_ENV];
      const file = path.join(dir, name);
      fs.writeFileSync(file, JSON.stringify({ notices }));
      process.env[HOLIDAYS_FILE_ENV] = file;
    },
    restore() {
      if (saved === undefined) delete process.env[HOLIDAYS_FILE_ENV];
      else process.env[HOLIDAYS_FILE_ENV] = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
