export { COLUMNS, COLUMN_WIDTH, Proto, Family, MessageType, columnValues, type CaptureRecord, type StringColumn } from './capture-record';
export {
  encodeRecord,
  decodeRecord,
  RECORD_ENCODING_VERSION,
  RECORD_MSG_REF_VERSION,
  STRING_COLUMNS,
  type RecordDecodeResult,
} from './kafka-codec';
// For readers that take a few columns straight from the value's bytes (the stats app).
export { locateColumns, SPAN_WORDS, FIXED_INTS } from './kafka-codec';
export { EncodedRecord, readRecord, COLUMN_WORDS, LATIN1, type RecordReadResult } from './encoded-record';
export { encodeRecordBatch, splitRecordValue, RECORD_BATCH_VERSION, type SplitResult } from './kafka-batch-codec';
export { sampleRecord } from './sample-record';
export { buildRecord, RecordBuilder, recordExtraHeaders, type BuildRecordInput, type BuildRecordOptions } from './build-record';
export { truncate, fitColumn } from './truncate';
export {
  buildReportRecord,
  isReportRecord,
  REPORT_COLUMNS,
  REPORT_COLUMN_WIDTH,
  REPORT_MYSQL_MSG_WIDTH,
  REPORT_KINDS,
  REPORT_PAYLOAD_TYPES,
  type ReportRecord,
  type ReportKind,
  type ReportColumn,
  type BuildReportInput,
} from './report-record';
export { encodeReportRecord, decodeReportRecord, REPORT_RECORD_VERSION, type ReportDecodeResult } from './report-codec';
