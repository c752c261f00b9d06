import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * COM_STMT_BULK_EXECUTE over a mysql2 connection. mysql2 (3.24) neither asks a MariaDB server for bulk
 * operations nor sends the command, so two of its internals are reached here (its package exports hide
 * them; they are loaded by path, the same module instances mysql2 itself uses):
 * - the handshake asks for MARIADB_CLIENT_STMT_BULK_OPERATIONS when the server offers it (MariaDB reads the
 *   extended capabilities only from a client that leaves CLIENT_MYSQL unset, as mysql2 already does for
 *   extended metadata), and marks the connection;
 * - a Command that writes the prepared packets and reads the server's OK (or error) packet for each.
 * When either is missing (another mysql2), `installBulkHandshake` says so and nothing uses the command.
 */
const MARIADB_CLIENT_STMT_BULK_OPERATIONS = 4; // extended capability, bit 34 of the 64
const CLIENT_MYSQL = 1; // LONG_PASSWORD in MySQL's naming

interface CoreConnection {
  addCommand(cmd: unknown): void;
  prepare(sql: string, cb: (err: Error | null, statement: { id: number }) => void): void;
  writePacket(packet: unknown): void;
  /** Set by the handshake below when the server agreed to bulk operations. */
  sipcapBulk?: boolean;
}

interface MysqlPacket {
  isError(): boolean;
  asError(encoding: string): Error;
  readInt8(): number;
  readInt16(): number;
  readLengthCodedNumber(): number;
}

type CommandClass = new () => object;
type PacketClass = new (id: number, buffer: Buffer, start: number, end: number) => unknown;

interface Mysql2Internals {
  Command: CommandClass;
  Packet: PacketClass;
  handshake: { prototype: { sendCredentials(c: CoreConnection): void; sendSSLRequest(c: CoreConnection): void } };
}

function loadInternals(): Mysql2Internals | Error {
  try {
    const req = createRequire(__filename);
    const lib = join(dirname(req.resolve('mysql2')), 'lib');
    const handshake = req(join(lib, 'commands/client_handshake.js'));
    const internals = { Command: req(join(lib, 'commands/command.js')), Packet: req(join(lib, 'packets/packet.js')), handshake };
    for (const f of ['sendCredentials', 'sendSSLRequest'])
      if (typeof handshake.prototype[f] !== 'function') throw new Error(`no ClientHandshake.${f}`);
    return internals;
  } catch (e) {
    return e as Error;
  }
}

let internals: Mysql2Internals | Error | undefined;

/**
 * Makes every mysql2 connection opened from now on ask a MariaDB server for bulk operations. Returns why
 * it could not (an unknown mysql2), or undefined. Idempotent.
 */
export function installBulkHandshake(): string | undefined {
  if (internals) return internals instanceof Error ? internals.message : undefined;
  internals = loadInternals();
  if (internals instanceof Error) return internals.message;
  const proto = internals.handshake.prototype as unknown as Record<string, (this: HandshakeState, c: CoreConnection) => void>;
  for (const name of ['sendSSLRequest', 'sendCredentials']) {
    const original = proto[name];
    proto[name] = function (this: HandshakeState, connection: CoreConnection) {
      askForBulk(this, connection);
      return original.call(this, connection);
    };
  }
  return undefined;
}

interface HandshakeState {
  handshake?: { mariadbExtendedCapabilityFlags?: number };
  clientFlags: number;
  mariadbExtendedClientFlags: number;
}

function askForBulk(state: HandshakeState, connection: CoreConnection): void {
  const offered = (state.handshake?.mariadbExtendedCapabilityFlags ?? 0) & MARIADB_CLIENT_STMT_BULK_OPERATIONS;
  // A mysql2 without the field would not send what is set here: then the connection stays on LOAD DATA.
  if (!offered || typeof state.mariadbExtendedClientFlags !== 'number') return;
  state.clientFlags &= ~CLIENT_MYSQL;
  state.mariadbExtendedClientFlags |= MARIADB_CLIENT_STMT_BULK_OPERATIONS;
  connection.sipcapBulk = true;
}

/** Whether the connection (a mysql2 promise connection) may send COM_STMT_BULK_EXECUTE. */
export function canBulkExecute(conn: object): boolean {
  return (conn as { connection?: CoreConnection }).connection?.sipcapBulk === true && !(internals instanceof Error) && !!internals;
}

/** The id of `sql` prepared on this connection (mysql2 keeps it prepared and answers again from its cache). */
export function prepareOn(conn: object, sql: string): Promise<number> {
  const core = (conn as { connection: CoreConnection }).connection;
  return new Promise((resolve, reject) => core.prepare(sql, (err, statement) => (err ? reject(err) : resolve(statement.id))));
}

export interface BulkResult {
  affectedRows: number;
  warnings: number;
}

/**
 * Sends the commands of `mariadbBulkCommands` one after the other without waiting for each answer (the
 * server reads the next as soon as it has answered one, so it never waits for the client in between),
 * reads every answer, and resolves with their sum, or rejects with the first error once all are read.
 */
export function bulkExecute(conn: object, commands: Buffer[]): Promise<BulkResult> {
  if (!internals || internals instanceof Error) return Promise.reject(new Error('bulk execute is not installed'));
  const { Command, Packet } = internals;
  if (commands.length === 0) return Promise.resolve({ affectedRows: 0, warnings: 0 });
  const core = (conn as { connection: CoreConnection }).connection;
  return new Promise((resolve, reject) => {
    const cmd = new Command() as InstanceType<CommandClass> & {
      execute: unknown;
      emit(e: string): void;
      onResult(err: Error | undefined, r?: BulkResult): void;
    };
    // mysql2 calls onResult itself when the connection breaks or is already closed.
    cmd.onResult = (err, r) => (err ? reject(err) : resolve(r!));
    const sum: BulkResult = { affectedRows: 0, warnings: 0 };
    let error: Error | undefined;
    let answered = -1;
    // mysql2 calls execute with no packet when the command starts, then with each packet the server sends.
    cmd.execute = (packet: MysqlPacket | undefined, connection: CoreConnection & { sequenceId: number; clientEncoding: string }) => {
      if (answered >= 0 && packet) {
        if (packet.isError()) error ??= packet.asError(connection.clientEncoding);
        else {
          packet.readInt8(); // 0x00: OK
          sum.affectedRows += packet.readLengthCodedNumber();
          packet.readLengthCodedNumber(); // last insert id
          packet.readInt16(); // status
          sum.warnings += packet.readInt16();
        }
      } else {
        for (const command of commands) {
          connection.sequenceId = 0; // each command starts its own exchange
          connection.writePacket(new Packet(0, command, 0, command.length));
        }
      }
      answered++;
      connection.sequenceId = 1; // every answer is the second packet of its exchange
      if (answered < commands.length) return false;
      cmd.onResult(error, sum);
      cmd.emit('end');
      return true;
    };
    core.addCommand(cmd);
  });
}
