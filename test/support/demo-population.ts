/**
 * One generated demo population as rows by table (the generator's pure part, no database), with
 * the look-ups the demo checks share: test/generate.test.ts checks what holds for every department,
 * each department's own test its part (federation/<dept>/<dept>.test.ts, "demo data").
 */
import { generateAll } from '../../tools/generate/population';
import { cell, type Row, type TableName, type TableRows } from '../../tools/generate/tables';

export interface DemoPopulation {
  referenceDate: string;
  households: number;
  rows: TableRows;
  /** Every value of one column of a table. */
  col(table: TableName, column: string): unknown[];
  personById: ReadonlyMap<string, Row>;
  birthOf(id: string): string;
  deathOf(id: string): string | null;
}

/** The population every demo check reads: 4,000 households, seed 42, as of 2025-11-20. */
export function demoPopulation(seed = 42, referenceDate = '2025-11-20', households = 4000): DemoPopulation {
  const rows = generateAll({ seed, referenceDate }, households);
  const personById = new Map<string, Row>(rows.person.map((r) => [r[0] as string, r]));
  return {
    referenceDate,
    households,
    rows,
    col: (table, column) => rows[table].map((r) => cell(table, r, column)),
    personById,
    birthOf: (id) => personById.get(id)![3] as string,
    deathOf: (id) => personById.get(id)![4] as string | null,
  };
}
