import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { encodeHep1, encodeHep2, encodeHep3, type HepEncodeInput } from '@sipcap/hep';
import type { CaptureFileStatus } from '@sipcap/packet';
import type { CliIo } from '../cli-io';
import { CliFailure, errorText, UsageError } from '../cli-errors';
import { loadSettings } from '../load-settings';
import { choiceOption, intOption, noExtraArgs, parseCommandArgs } from '../parse-command-args';
import { openTcpSender, openUdpSender } from '../replay/hep-sender';
import { Pacer, type Pace } from '../replay/pacer';
import { parseTarget } from '../replay/parse-target';
import { ProgressBar } from '../replay/progress-bar';
import { rewriteCallId } from '../replay/rewrite-call-id';
import { emptyCounts, sipMessages, type ReplayMessage } from '../replay/sip-message-source';
import { formatRate } from '../status/format-table';

const COMMAND = 'replay';
/** Largest UDP payload over IPv4 (65535 - 20 - 8); a bigger HEP packet cannot go in one datagram. */
const MAX_UDP_PAYLOAD = 65_507;
/** In fast mode, give the event loop a turn this often so the progress bar and sockets move. */
const FAST_YIELD_EVERY = 512;

interface ReplayOptions {
  file: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  hep: 1 | 2 | 3;
  pace: Pace;
  loops: number;
  uniqueCallIds: boolean;
  /** With uniqueCallIds: the A-leg correlation headers rewritten beside Call-ID (CALLID_ALEG_HEADER). */
  alegHeaders: readonly string[];
  now: boolean;
  nodeId?: number;
  authKey?: string;
  json: boolean;
  /** Send RTCP (HEP type 5) and captured HEP packets too (default; --sip-only turns it off). */
  reports: boolean;
}

export interface ReplaySummary {
  file: string;
  to: string;
  transport: 'udp' | 'tcp';
  hep: number;
  loops: number;
  /** Packets sent (every loop): SIP messages, RTCP and HEP as captured. */
  messages: number;
  /** SIP messages sent (per pass). */
  sip: number;
  /** RTCP sent as HEP type 5 with its call's Call-ID (per pass). */
  rtcp: number;
  /** HEP packets found in the capture and re-sent byte for byte (per pass). */
  hepAsCaptured: number;
  bytes: number;
  seconds: number;
  perSecond: number;
  /** Packets of the capture that are not SIP messages, per pass over the file. */
  skipped: { total: number; undecoded: number; keepalives: number; notSip: number; rtcpUnmatched: number; rtcpNeedsHep3: number };
  /** Messages that do not fit in a HEP packet (or a UDP datagram), per pass. */
  tooLarge: number;
  tcpGaps: number;
}

function parseReplayArgs(args: string[]): ReplayOptions {
  const { values, positionals } = parseCommandArgs(COMMAND, args, {
    to: { type: 'string' },
    transport: { type: 'string' },
    rate: { type: 'string' },
    realtime: { type: 'boolean' },
    loop: { type: 'string' },
    hep: { type: 'string' },
    'node-id': { type: 'string' },
    'unique-callids': { type: 'boolean' },
    now: { type: 'boolean' },
    'auth-key': { type: 'string' },
    json: { type: 'boolean' },
    'sip-only': { type: 'boolean' },
  });
  if (positionals.length === 0) throw new UsageError('name the capture file: sipcap replay FILE.pcap --to HOST:PORT', COMMAND);
  noExtraArgs(COMMAND, positionals, 1);
  if (values.to === undefined)
    throw new UsageError('say where to send with --to HOST:PORT (e.g. --to 127.0.0.1:9060, where hep-agent listens)', COMMAND);
  const target = parseTarget(values.to);
  if (!target) throw new UsageError(`--to expects HOST:PORT or [IPv6]:PORT, got "${values.to}"`, COMMAND);
  const transport = choiceOption(COMMAND, 'transport', values.transport, ['udp', 'tcp'] as const, 'udp');
  const hep = Number(choiceOption(COMMAND, 'hep', values.hep, ['3', '2', '1'] as const, '3')) as 1 | 2 | 3;
  if (hep !== 3 && transport === 'tcp')
    throw new UsageError('HEP v1 and v2 have no length field and go over UDP only; use --hep 3 with --transport tcp', COMMAND);
  if (values.realtime && values.rate !== undefined)
    throw new UsageError("--realtime follows the capture's timing; leave out --rate (or drop --realtime)", COMMAND);
  const rate = intOption(COMMAND, 'rate', values.rate, 1000, 0, 10_000_000);
  const pace: Pace = values.realtime ? { kind: 'realtime' } : rate === 0 ? { kind: 'fast' } : { kind: 'rate', perSecond: rate };
  const nodeId =
    values['node-id'] === undefined ? undefined : intOption(COMMAND, 'node-id', values['node-id'], 0, 0, hep === 2 ? 0xffff : 0xffffffff);
  if (nodeId !== undefined && hep === 1)
    throw new UsageError('HEP v1 carries no capture agent id; use --hep 2 or 3 with --node-id', COMMAND);
  if (values['auth-key'] !== undefined && hep !== 3)
    throw new UsageError('only HEP v3 carries an auth key; use --hep 3 with --auth-key', COMMAND);
  return {
    file: positionals[0],
    ...target,
    transport,
    hep,
    pace,
    loops: intOption(COMMAND, 'loop', values.loop, 1, 1, 1_000_000),
    uniqueCallIds: values['unique-callids'] === true,
    alegHeaders: [],
    now: values.now === true,
    nodeId,
    authKey: values['auth-key'],
    json: values.json === true,
    reports: values['sip-only'] !== true,
  };
}

/** `sipcap replay FILE --to HOST:PORT ...`. */
export async function replayCommand(io: CliIo, args: string[]): Promise<number> {
  const o = parseReplayArgs(args);
  if (o.uniqueCallIds) o.alegHeaders = loadSettings(io, COMMAND, ['CALLID_ALEG_HEADER']).CALLID_ALEG_HEADER;
  let size: number;
  try {
    await access(o.file, constants.R_OK);
    size = (await stat(o.file)).size;
  } catch (e) {
    throw new CliFailure(`cannot read ${o.file}: ${errorText(e)}`);
  }

  const sender = o.transport === 'udp' ? await openUdpSender(o.host, o.port) : await openTcpSender(o.host, o.port);
  const encode = o.hep === 3 ? encodeHep3 : o.hep === 2 ? encodeHep2 : encodeHep1;
  const bar = io.errIsTty ? new ProgressBar(io.err, io.errColumns) : undefined;
  const pacer = new Pacer(o.pace);
  const counts = emptyCounts();
  let sent = 0;
  let bytes = 0;
  let tooLarge = 0;
  let rtcpNeedsHep3 = 0;
  const sentKinds = { sip: 0, rtcp: 0, hepAsCaptured: 0 };
  let fileProblem: CaptureFileStatus | undefined;
  const started = performance.now();

  try {
    for (let loop = 1; loop <= o.loops; loop++) {
      pacer.restart();
      const passCounts = emptyCounts();
      const messages = sipMessages(createReadStream(o.file, { highWaterMark: 1 << 20 }), passCounts, o.reports);
      let status: CaptureFileStatus;
      for (;;) {
        const next = await messages.next();
        if (next.done) {
          status = next.value;
          break;
        }
        if (next.value.kind === 'rtcp' && o.hep !== 3) {
          if (loop === 1) rtcpNeedsHep3++; // HEP v1/v2 carry no payload type or correlation id
          continue;
        }
        const packet = encodeMessage(next.value, o, loop, encode);
        if (packet === undefined || (o.transport === 'udp' && packet.length > MAX_UDP_PAYLOAD)) {
          if (loop === 1) tooLarge++;
          continue;
        }
        const wait = pacer.delay(performance.now(), next.value.tsMicros);
        if (wait >= 1) await sleep(wait);
        else if (o.pace.kind === 'fast' && sent % FAST_YIELD_EVERY === FAST_YIELD_EVERY - 1) await tick();
        await sender.send(packet);
        sent++;
        if (loop === 1) sentKinds[next.value.kind === 'hep' ? 'hepAsCaptured' : next.value.kind]++;
        bytes += packet.length;
        bar?.update(
          (loop - 1 + (size > 0 ? Math.min(1, passCounts.position / size) : 1)) / o.loops,
          progressLabel(sent, started, loop, o.loops),
        );
      }
      if (loop === 1) Object.assign(counts, passCounts);
      if (!status.ok && !(status.reason === 'truncated' && status.records > 0)) {
        fileProblem = status;
        break;
      }
      if (!status.ok && loop === 1) {
        bar?.clear();
        io.err(
          `sipcap replay: warning: ${o.file} ends inside a record (${status.message}); replayed the ${status.records} complete records\n`,
        );
      }
      if (counts.messages + counts.rtcp + counts.hep === 0) break; // nothing to send: do not spin through the remaining loops
    }
    bar?.update(1, progressLabel(sent, started, o.loops, o.loops), true);
  } catch (e) {
    bar?.clear();
    await sender.close().catch(() => undefined);
    throw e;
  }
  bar?.clear();
  // A failed close (datagrams refused, connection reset) is reported after the summary of what was sent.
  const closeError = await sender.close().then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );

  const seconds = (performance.now() - started) / 1000;
  const summary: ReplaySummary = {
    file: o.file,
    to: sender.address,
    transport: o.transport,
    hep: o.hep,
    loops: o.loops,
    messages: sent,
    ...sentKinds,
    bytes,
    seconds,
    perSecond: seconds > 0 ? sent / seconds : 0,
    skipped: {
      total: counts.undecoded + counts.keepalives + counts.notSip + counts.rtcpUnmatched + rtcpNeedsHep3,
      undecoded: counts.undecoded,
      keepalives: counts.keepalives,
      notSip: counts.notSip,
      rtcpUnmatched: counts.rtcpUnmatched,
      rtcpNeedsHep3,
    },
    tooLarge,
    tcpGaps: counts.tcpGaps,
  };
  // A file that could not be read at all gets its error alone, not a summary of nothing sent beside it.
  const unreadable = fileProblem !== undefined && !fileProblem.ok && sent === 0;
  if (!unreadable) io.out(o.json ? JSON.stringify(summary) + '\n' : summaryLine(summary) + '\n');

  if (closeError !== undefined) throw closeError;
  if (fileProblem && !fileProblem.ok) {
    throw new CliFailure(
      fileProblem.reason === 'bad-magic'
        ? `${o.file} is not a pcap or pcapng file (${fileProblem.message}); export the capture as pcap or pcapng`
        : `${o.file} is damaged after record ${fileProblem.records} (${fileProblem.reason}: ${fileProblem.message}); the messages before it were sent`,
    );
  }
  if (counts.messages + counts.rtcp + counts.hep === 0) {
    throw new CliFailure(
      `found no SIP message${o.reports ? ', RTCP of a known call or HEP packet' : ''} in ${o.file} (${counts.frames} packets read); is it a capture of SIP traffic?`,
    );
  }
  return 0;
}

function encodeMessage(m: ReplayMessage, o: ReplayOptions, loop: number, encode: (p: HepEncodeInput) => Buffer): Buffer | undefined {
  if (m.kind === 'hep') return m.payload; // a captured HEP packet goes out as it was captured
  const ts = o.now ? BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) : m.tsMicros;
  try {
    return encode({
      family: m.family,
      ipProto: m.ipProto,
      srcIp: m.srcIp,
      dstIp: m.dstIp,
      srcPort: m.srcPort,
      dstPort: m.dstPort,
      tsSec: Number(ts / 1_000_000n),
      tsUsec: Number(ts % 1_000_000n),
      captureId: o.nodeId,
      authKey: o.authKey,
      ...(m.kind === 'rtcp'
        ? { payloadType: 5, correlationId: o.uniqueCallIds ? `${m.correlationId}-${loop}` : m.correlationId, payload: m.payload }
        : { payload: o.uniqueCallIds ? rewriteCallId(m.payload, `-${loop}`, o.alegHeaders) : m.payload }),
    });
  } catch {
    return undefined; // larger than a HEP packet can hold (65535 bytes)
  }
}

function progressLabel(sent: number, started: number, loop: number, loops: number): string {
  const s = (performance.now() - started) / 1000;
  return `${sent} msgs  ${formatRate(s > 0 ? sent / s : 0)} msg/s${loops > 1 ? `  loop ${loop}/${loops}` : ''}`;
}

export function summaryLine(s: ReplaySummary): string {
  const sip = s.messages - (s.rtcp + s.hepAsCaptured) * s.loops;
  let head = `sent ${sip} SIP message${sip === 1 ? '' : 's'}`;
  if (s.rtcp) head += `, ${s.rtcp * s.loops} RTCP (HEP type 5)`;
  if (s.hepAsCaptured) head += `, ${s.hepAsCaptured * s.loops} HEP packet${s.hepAsCaptured * s.loops === 1 ? '' : 's'} as captured`;
  head += ` (${s.bytes} bytes of HEP${s.hep}) over ${s.transport} to ${s.to}`;
  head += ` in ${s.seconds.toFixed(2)} s (${formatRate(s.perSecond)} msg/s)`;
  if (s.loops > 1) head += `, ${s.loops} loops of the file`;
  const why = [
    s.skipped.notSip ? `${s.skipped.notSip} not SIP` : '',
    s.skipped.undecoded ? `${s.skipped.undecoded} undecodable` : '',
    s.skipped.keepalives ? `${s.skipped.keepalives} keep-alives` : '',
    s.skipped.rtcpUnmatched ? `${s.skipped.rtcpUnmatched} RTCP of no call announced in the file` : '',
    s.skipped.rtcpNeedsHep3 ? `${s.skipped.rtcpNeedsHep3} RTCP needing --hep 3` : '',
  ].filter(Boolean);
  let line = `${head}; skipped ${s.skipped.total} non-SIP packet${s.skipped.total === 1 ? '' : 's'}${why.length ? ` (${why.join(', ')})` : ''}`;
  if (s.loops > 1) line += ' per loop';
  if (s.tooLarge)
    line += `; ${s.tooLarge} message${s.tooLarge === 1 ? '' : 's'} too large for HEP${s.transport === 'udp' ? ' over UDP' : ''} not sent`;
  if (s.tcpGaps) line += `; ${s.tcpGaps} TCP message${s.tcpGaps === 1 ? '' : 's'} lost to gaps in the capture`;
  return line;
}
