export type {
  Store,
  StoreOptions,
  BatchRow,
  BatchOffset,
  RetentionResult,
  LogLevel,
  OffsetRow,
  PositionedResult,
  RejectedRow,
  StoredRecord,
  TableKind,
} from './store';
export { openStore } from './open-store';
export { ensureDatabase } from './ensure-database';
export { ensureSchema, ensureReportSchema } from './ensure-schema';
export { ReportTableRouter, type ReportTableNames } from './report-table-name';
export { StoreError, isStoreError, type StoreErrorKind } from './store-error';
export { TableRouter, type TableRouterOptions, type MtMode, type HashSource } from './table-name';
export { REPORT_TABLES, pgCreateReportTable, mysqlCreateReportTable } from './ddl';
export {
  OFFSETS_TABLE,
  pgCreateTable,
  mysqlCreateTable,
  pgCreateOffsetsTable,
  mysqlCreateOffsetsTable,
  dayPartitionName,
  defaultPartitionName,
} from './ddl';
export { PG_RETENTION_LOCK } from './pg-store';
export { MYSQL_RETENTION_LOCK } from './mysql-store';
export { RetentionPlan, parseRetentionTables, retentionProblem, type RetentionRule } from './retention-plan';
export { DayWindow, outsideWindowCounter } from './partition-window';
export { messageKind, MESSAGE_KINDS, type MessageKind } from './message-kind';
export type { WriterTotals } from './writer-metrics';
export { DelayedWriter, type DelayedWriterOptions } from './delayed-writer';
export type { DeadLetter, PositionedRow, PositionedStore } from './positioned-row';
export { forgetStaleOffsets } from './forget-stale-offsets';
export { DiskGuard, diskFullReason, type DiskGuardOptions, type DiskPauseReason } from './disk-guard';
export { databaseFreeBytes, databaseSize } from './database-size';
export { TableUpkeep, type TableUpkeepOptions } from './table-upkeep';
