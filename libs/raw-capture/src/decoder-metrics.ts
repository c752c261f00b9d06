import type { Registry } from 'prom-client';
import type { RawDecoder } from './raw-decoder';
import { readGauge, totalsCounter } from './totals-metrics';

/** Exposes a RawDecoder's counters (decoder, IP fragment and TCP reassembly) on a registry. */
export function registerDecoderMetrics(registry: Registry, raw: RawDecoder): void {
  const d = raw.decoder;
  const c = d.counters;
  totalsCounter(registry, 'sipcap_raw_frames_decoded_total', 'Frames given to the packet decoder', () => c.frames);
  totalsCounter(registry, 'sipcap_raw_decode_failed_total', 'Frames that did not decode to a transport payload, by reason', {
    label: 'reason',
    read: () => c.failed,
  });
  totalsCounter(registry, 'sipcap_raw_port_filtered_total', 'Packets dropped by the RAW_SOCKET_LISTEN port filter', () => c.filtered);
  totalsCounter(registry, 'sipcap_raw_keepalives_total', 'UDP payloads that were only CR/LF keep-alives', () => c.keepalives);
  totalsCounter(registry, 'sipcap_raw_ignored_total', 'Packets of a transport not followed', () => c.ignored);
  totalsCounter(
    registry,
    'sipcap_raw_sip_candidates_total',
    'Transport payloads past the port filter (SIP messages; with RTCP_PORT_RANGE also the UDP of the media ports)',
    () => c.candidates,
  );
  if (raw.rtcp) {
    const r = raw.rtcp;
    totalsCounter(
      registry,
      'sipcap_raw_rtcp_total',
      'UDP payloads in RTCP_PORT_RANGE by outcome: matched (published with the Call-ID), unmatched (RTCP of no known call, not kept), not_rtcp (RTP and the rest)',
      { label: 'outcome', read: () => ({ ...r.counters }) },
    );
    totalsCounter(
      registry,
      'sipcap_raw_rtcp_sdp_total',
      'Media addresses of the SDP map: learned, evicted (RTCP_SDP_MAX_ITEMS / RTCP_SDP_MAX_MB), expired (RTCP_SDP_TTL_S)',
      { label: 'event', read: () => ({ ...r.calls.counters }) },
    );
    readGauge(registry, 'sipcap_raw_rtcp_sdp_addresses', 'Media addresses held in the SDP map', () => r.calls.size);
    readGauge(registry, 'sipcap_raw_rtcp_sdp_bytes', 'Bytes held by the SDP map (estimated)', () => r.calls.bytes);
  }
  if (d.fragments) {
    const f = d.fragments;
    totalsCounter(
      registry,
      'sipcap_raw_ip_fragments_total',
      'IP fragment reassembly events (fragments, reassembled, timed_out, evicted, ...)',
      { label: 'event', read: () => ({ ...f.counters }) },
    );
    readGauge(
      registry,
      'sipcap_raw_ip_fragments_pending_bytes',
      'Fragment bytes held waiting for the rest of their datagram',
      () => f.pendingBytes,
    );
  }
  if (d.tcp) {
    const t = d.tcp;
    totalsCounter(registry, 'sipcap_raw_tcp_total', 'SIP-over-TCP reassembly events (messages, streams_opened, gaps, ...)', {
      label: 'event',
      read: () => ({ ...t.counters }),
    });
    readGauge(registry, 'sipcap_raw_tcp_streams', 'TCP stream directions followed', () => t.streamCount);
    readGauge(registry, 'sipcap_raw_tcp_buffered_bytes', 'Bytes buffered by TCP reassembly', () => t.bufferedBytes);
  }
}
