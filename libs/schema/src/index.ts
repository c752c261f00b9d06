// What the writer and the readers of the capture tables share: the dialect of DB_URL, table names and
// their strftime templates, quoted identifiers, Kamailio's indexes, the MySQL collation.
export { dialectOf, databaseOf, withDatabase, type Dialect } from './db-url';
export { isValidTableName, assertTableName, TABLE_NAME_PATTERN, quotePg, quoteMysql } from './identifier';
export { compileStrftime, type CompiledStrftime, type StrftimePart } from './strftime';
export { INDEXED_COLUMNS, REPORT_INDEXED_COLUMNS } from './indexed-columns';
export { MYSQL_COLLATION } from './mysql-collation';
