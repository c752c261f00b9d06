import type { SearchDb } from './search-db';

/** A capture table that exists, and whether it has the PostgreSQL `msg_raw` column (see @sipcap/store). */
export interface TableInfo {
  name: string;
  hasMsgRaw: boolean;
}

export interface TableCatalogOptions {
  /** How long a listing is used before it is read again. */
  ttlMs?: number;
  /** A name not in the listing triggers a new read when the listing is at least this old (a new day's table). */
  missRefreshMs?: number;
  now?: () => number;
}

const PG_LIST = `SELECT t.table_name AS name,
  EXISTS (SELECT 1 FROM information_schema.columns c
          WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = 'msg_raw') AS has_msg_raw
FROM information_schema.tables t WHERE t.table_schema = current_schema()`;

const MYSQL_LIST = `SELECT TABLE_NAME AS name, 0 AS has_msg_raw FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()`;

/**
 * Which of the candidate tables exist: one information_schema query, reused for a minute. Searches over
 * dated tables name many days that have no table; those are left out instead of failing the query.
 */
export class TableCatalog {
  private listing?: { at: number; tables: Map<string, TableInfo> };
  private reading?: Promise<Map<string, TableInfo>>;
  private readonly ttlMs: number;
  private readonly missRefreshMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: SearchDb,
    opts: TableCatalogOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.missRefreshMs = opts.missRefreshMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  /** The candidates that exist, in the candidates' order. */
  async existing(candidates: readonly string[]): Promise<TableInfo[]> {
    const now = this.now();
    let tables = this.listing && now - this.listing.at < this.ttlMs ? this.listing.tables : await this.read();
    if (this.listing && now - this.listing.at >= this.missRefreshMs && candidates.some((c) => !this.find(tables, c))) {
      tables = await this.read();
    }
    return candidates.map((c) => this.find(tables, c)).filter((t): t is TableInfo => t !== undefined);
  }

  /** Forget the listing (after a query failed on a table that went away). */
  invalidate(): void {
    this.listing = undefined;
  }

  private find(tables: Map<string, TableInfo>, name: string): TableInfo | undefined {
    // MySQL may fold table names to lower case (lower_case_table_names); PostgreSQL keeps quoted case.
    return tables.get(name) ?? (this.db.dialect === 'mysql' ? tables.get(name.toLowerCase()) : undefined);
  }

  private read(): Promise<Map<string, TableInfo>> {
    this.reading ??= (async () => {
      try {
        const rows = await this.db.query(this.db.dialect === 'postgres' ? PG_LIST : MYSQL_LIST, []);
        const tables = new Map<string, TableInfo>();
        for (const r of rows) {
          const name = String(r.name);
          const info = { name, hasMsgRaw: r.has_msg_raw === true || r.has_msg_raw === 1 };
          tables.set(name, info);
          if (this.db.dialect === 'mysql') tables.set(name.toLowerCase(), info);
        }
        this.listing = { at: this.now(), tables };
        return tables;
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }
}
