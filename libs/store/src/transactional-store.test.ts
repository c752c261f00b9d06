import { describe, it, expect } from 'vitest';
import { sampleRecord, type CaptureRecord } from '@sipcap/record';
import { classifyPgError } from './classify-pg-error';
import type { BatchOffset, RetentionResult, StoreOptions } from './store';
import { StoreError } from './store-error';
import { TransactionalStore, type TxConnection } from './transactional-store';

/**
 * An in-memory database with transactions and savepoints, refusing rows whose method is POISON with a
 * check violation, the way a real server refuses a whole statement.
 */
class FakeStore extends TransactionalStore {
  readonly dialect = 'postgres' as const;
  committed: CaptureRecord[] = [];
  offsets = new Map<number, string>();
  statements = 0;
  failNext?: Error;

  constructor(opts: StoreOptions = {}) {
    super(opts);
  }

  protected classify(e: unknown): StoreError {
    return classifyPgError(e);
  }

  protected async acquire(): Promise<TxConnection> {
    let rows: CaptureRecord[] = [];
    let offsets = new Map<number, string>();
    const savepoints: number[] = [];
    return {
      id: 1,
      exec: async (sql) => {
        if (sql === 'BEGIN') rows = [];
        else if (sql === 'COMMIT') {
          this.committed.push(...rows);
          for (const [p, o] of offsets) this.offsets.set(p, o);
        } else if (sql === 'ROLLBACK') {
          rows = [];
          offsets = new Map();
        } else if (sql.startsWith('SAVEPOINT')) savepoints.push(rows.length);
        else if (sql.startsWith('RELEASE')) savepoints.pop();
        else if (sql.startsWith('ROLLBACK TO')) rows.length = savepoints[savepoints.length - 1];
        else throw new Error(`unexpected ${sql}`);
      },
      writeRows: async (_table, records) => {
        this.statements++;
        if (this.failNext) {
          const e = this.failNext;
          this.failNext = undefined;
          throw e;
        }
        const sip = records as CaptureRecord[];
        if (sip.some((r) => r.method === 'POISON')) throw Object.assign(new Error('violates check constraint'), { code: '23514' });
        rows.push(...sip);
      },
      writeOffsets: async (o: readonly BatchOffset[]) => {
        for (const x of o) offsets.set(x.partition, x.nextOffset);
      },
      lockOffsets: async (_group, _topic, partitions) => new Map(partitions.map((p) => [p, BigInt(this.offsets.get(p) ?? '0')])),
      release: () => undefined,
    };
  }

  protected async prepareTables(): Promise<void> {}
  protected forgetTables(): void {}
  async readOffsets(): Promise<Map<number, string>> {
    return this.offsets;
  }
  async readDedupStates(): Promise<Map<number, Buffer>> {
    return new Map();
  }
  async ensureTable(): Promise<void> {}
  async ensureOffsetsTable(): Promise<void> {}
  async applyRetention(): Promise<RetentionResult> {
    return { locked: true, dropped: [], defaultRowsDeleted: 0 };
  }
  async close(): Promise<void> {}
}

describe('TransactionalStore.writePositioned', () => {
  const row = (partition: number, offset: number, method = 'INVITE', index = 0) => ({
    partition,
    offset: BigInt(offset),
    index,
    table: 't',
    record: sampleRecord({ method, cseq: `${partition}:${offset}:${index}` }),
  });
  /** The records of one Kafka message holding a record batch. */
  const batch = (partition: number, offset: number, methods: string[]) => methods.map((m, i) => row(partition, offset, m, i));

  it('inserts new rows and moves each partition past its last row', async () => {
    const s = new FakeStore();
    const res = await s.writePositioned('g', 't', [row(0, 0), row(0, 1), row(3, 40)]);
    expect(res).toEqual({ inserted: 3, rejected: 0, skipped: 0, perTable: new Map([['t', 3]]) });
    expect([...s.offsets]).toEqual([
      [0, '2'],
      [3, '41'],
    ]);
  });

  it('skips rows already stored (a redelivery) and stores the rest once', async () => {
    const s = new FakeStore();
    await s.writePositioned('g', 't', [row(0, 0), row(0, 1), row(0, 2)]);
    const res = await s.writePositioned('g', 't', [row(0, 1), row(0, 2), row(0, 3), row(1, 0)]);
    expect([res.inserted, res.skipped]).toEqual([2, 2]);
    expect(s.committed.map((r) => r.cseq)).toEqual(['0:0:0', '0:1:0', '0:2:0', '0:3:0', '1:0:0']);
    expect([...s.offsets]).toEqual([
      [0, '4'],
      [1, '1'],
    ]);
  });

  it('moves the offset past rows with nothing to insert', async () => {
    const s = new FakeStore();
    const res = await s.writePositioned('g', 't', [row(0, 5), { partition: 0, offset: 6n, table: null, record: null }]);
    expect([res.inserted, s.offsets.get(0)]).toEqual([1, '7']);
  });

  it('commits nothing when a row is refused', async () => {
    const s = new FakeStore();
    const err = await s.writePositioned('g', 't', [row(0, 0), row(0, 1, 'POISON')]).catch((e: unknown) => e);
    expect((err as StoreError).kind).toBe('data');
    expect([s.committed.length, s.offsets.size]).toEqual([0, 0]);
  });

  it('stores every record of a record batch and skips the whole message when it comes again', async () => {
    const s = new FakeStore();
    const first = await s.writePositioned('g', 't', [...batch(0, 7, ['INVITE', 'ACK', 'BYE']), ...batch(0, 7, ['INVITE', 'ACK', 'BYE'])]);
    expect([first.inserted, first.skipped, s.offsets.get(0)]).toEqual([3, 3, '8']);
    const again = await s.writePositioned('g', 't', [...batch(0, 7, ['INVITE', 'ACK', 'BYE']), ...batch(0, 8, ['OPTIONS'])]);
    expect([again.inserted, again.skipped]).toEqual([1, 3]);
    expect(s.committed.map((r) => r.cseq)).toEqual(['0:7:0', '0:7:1', '0:7:2', '0:8:0']);
  });

  it('with onRejected: hands over the refused rows before COMMIT and commits the rest with the offsets', async () => {
    const s = new FakeStore();
    const seenBeforeCommit: string[] = [];
    const rows = [
      ...batch(0, 3, ['INVITE', 'POISON', 'ACK', 'POISON']),
      row(1, 0),
      { partition: 2, offset: 9n, index: 0, table: 't', record: sampleRecord({ source_port: NaN }) },
    ];
    const res = await s.writePositioned('g', 't', rows, async (rejected) => {
      expect(s.committed).toHaveLength(0);
      seenBeforeCommit.push(...rejected.map((r) => `${r.row.partition}/${r.row.offset}/${r.row.index}:${r.error.kind}`));
    });
    expect(seenBeforeCommit.sort()).toEqual(['0/3/1:data', '0/3/3:data', '2/9/0:data']);
    expect([res.inserted, res.rejected]).toEqual([3, 3]);
    expect(s.committed.map((r) => r.cseq)).toEqual(['0:3:0', '0:3:2', '1:0:0']);
    expect([...s.offsets].sort()).toEqual([
      [0, '4'],
      [1, '1'],
      [2, '10'],
    ]);
  });

  it('with onRejected: commits nothing when handing over fails, and says it may be retried', async () => {
    const s = new FakeStore();
    const err = await s
      .writePositioned('g', 't', batch(0, 0, ['INVITE', 'POISON']), async () => {
        throw new Error('dead-letter topic unreachable');
      })
      .catch((e: unknown) => e);
    expect([(err as StoreError).kind, (err as StoreError).message]).toEqual([
      'retryable',
      'handing over refused rows failed: dead-letter topic unreachable',
    ]);
    expect([s.committed.length, s.offsets.size]).toEqual([0, 0]);
  });

  it('refuses a malformed Kafka position before touching the database', async () => {
    const s = new FakeStore();
    await expect(s.writePositioned('g', 't', [{ ...row(0, 0), offset: -1n }])).rejects.toMatchObject({
      kind: 'fatal',
      reason: 'bad_offset',
    });
    await expect(s.writePositioned('g', 't', [{ ...row(0, 0), partition: 1.5 }])).rejects.toMatchObject({
      kind: 'fatal',
      reason: 'bad_offset',
    });
    await expect(s.writePositioned('', 't', [row(0, 0)])).rejects.toMatchObject({ kind: 'fatal', reason: 'bad_offset' });
    expect(s.statements).toBe(0);
  });
});

describe('TransactionalStore.writePositioned isolating refused rows', () => {
  const rowsOf = (methods: string[]) =>
    methods.map((method, i) => ({ partition: 0, offset: BigInt(i), table: 't', record: sampleRecord({ method, cseq: String(i) }) }));
  const keep = async (s: FakeStore, rows: ReturnType<typeof rowsOf>) => {
    const refused: { offset: number; reason: string }[] = [];
    const res = await s.writePositioned('g', 't', rows, async (rejected) => {
      refused.push(...rejected.map((r) => ({ offset: Number(r.row.offset), reason: r.error.reason })));
    });
    return { res, refused };
  };

  it('finds every refused row and commits the others, in order, with the offsets', async () => {
    const methods = Array.from({ length: 1000 }, (_, i) => ([3, 500, 501, 999].includes(i) ? 'POISON' : 'INVITE'));
    const s = new FakeStore();
    const { res, refused } = await keep(s, rowsOf(methods));
    expect(refused.map((r) => r.offset).sort((a, b) => a - b)).toEqual([3, 500, 501, 999]);
    expect(refused.every((r) => r.reason === 'constraint')).toBe(true);
    expect([res.inserted, res.rejected]).toEqual([996, 4]);
    expect(s.committed.map((r) => Number(r.cseq))).toEqual(methods.map((_, i) => i).filter((i) => methods[i] !== 'POISON'));
    expect(s.offsets.get(0)).toBe('1000');
    // k refused rows among n cost about 2k·log2(n) statements, not n.
    expect(s.statements).toBeLessThan(4 * 2 * 10 + 1);
  });

  it('commits a clean batch in one statement', async () => {
    const s = new FakeStore();
    const { res, refused } = await keep(s, rowsOf(['A', 'B', 'C']));
    expect([res.inserted, refused, s.statements]).toEqual([3, [], 1]);
  });

  it('refuses rows with bad value types or table names without sending them', async () => {
    const s = new FakeStore();
    const rows = rowsOf(['INVITE', 'INVITE', 'INVITE']);
    (rows[1].record as { source_port: number }).source_port = NaN;
    rows[2].table = 'bad name';
    const { refused } = await keep(s, rows);
    expect(refused).toEqual([
      { offset: 1, reason: 'bad_row' },
      { offset: 2, reason: 'bad_row' },
    ]);
    expect(s.committed).toHaveLength(1);
    expect(s.statements).toBe(1);
  });

  it('stops on a retryable error and commits nothing', async () => {
    const s = new FakeStore();
    s.failNext = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const err = await keep(s, rowsOf(['INVITE', 'POISON', 'INVITE'])).catch((e: unknown) => e);
    expect((err as StoreError).kind).toBe('retryable');
    expect(s.committed).toHaveLength(0);
    expect(s.offsets.size).toBe(0);
  });

  it('advances the offsets even when every row is refused', async () => {
    const s = new FakeStore();
    const { res } = await keep(s, rowsOf(['POISON', 'POISON']));
    expect(res.rejected).toBe(2);
    expect(s.offsets.get(0)).toBe('2');
  });
});

describe('TransactionalStore.resetOffsets', () => {
  it('sets the named partitions back to 0 and leaves the others', async () => {
    const s = new FakeStore();
    await s.writePositioned(
      'g',
      't',
      [0, 1, 2].map((p) => ({ partition: p, offset: 41n, table: null, record: null })),
    );
    await s.resetOffsets('g', 't', [0, 2]);
    expect([...s.offsets].sort()).toEqual([
      [0, '0'],
      [1, '42'],
      [2, '0'],
    ]);
  });

  it('refuses a malformed partition before touching the database', async () => {
    const s = new FakeStore();
    await expect(s.resetOffsets('g', 't', [-1])).rejects.toMatchObject({ kind: 'fatal', reason: 'bad_offset' });
    expect(s.offsets.size).toBe(0);
  });
});
