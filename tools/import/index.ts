/** The import tool: specs, validation (streaming, no database) and loading. The CLI is tools/import.ts. */
export { TABLE_SPECS, TABLE_SPEC_BY_NAME, NOT_IMPORTED, type TableSpec, type ColumnSpec, type ColumnType, type Target } from './spec';
export {
  validateCsv,
  validateImportDir,
  parseValue,
  formatProblem,
  tableForFileName,
  type ImportProblem,
  type FileValidation,
  type CsvValidation,
  type DirFile,
  type DirValidation,
  MAX_KEPT_PROBLEMS,
  HELD_PROBLEMS,
  type ValidRow,
  type ValidateOptions,
} from './validate';
export { importDir, ImportLoadError, describeDbError, maskIdNumbersIn, type ImportOptions, type ImportResult, type LoadedFile } from './load';
export { renderColumnReference, withColumnReference, DOCS_BEGIN, DOCS_END } from './docs';
