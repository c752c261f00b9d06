/**
 * The JSON a compound RTCP packet is turned into: the shape heplify (protos/rtcp.go), captagent and
 * rtpengine send as HEP type 5, so that one reader serves binary and JSON senders alike. One object per
 * compound packet; its SR or RR gives the top level, its SDES the sdes_* fields, its XR VoIP metrics
 * block report_blocks_xr. Fields marked "sipcap" are additions that those senders do not write.
 */
export interface RtcpJson {
  /** From an SR; all zero when the compound has no SR (as heplify writes it). */
  sender_information: {
    ntp_timestamp_sec: number;
    ntp_timestamp_usec: number;
    rtp_timestamp: number;
    packets: number;
    octets: number;
  };
  /** SSRC of the SR/RR sender (else of the first XR/BYE/APP packet), 0 when none. */
  ssrc: number;
  /** Type of the SR or RR (200, 201); else of the first packet of the compound. */
  type: number;
  /** Report count of the SR or RR (else of the first packet). */
  report_count: number;
  /** The SR's or RR's report blocks, in order ([] when none; heplify writes null). */
  report_blocks: RtcpReportBlock[];
  /** XR VoIP metrics (RFC 3611 block type 7), heplify's flat form; only when the compound carries one. */
  report_blocks_xr?: RtcpXrVoipFlat;
  /** sipcap (as heplify-ng): every field of the XR VoIP metrics block. */
  voip_metrics?: RtcpVoipMetrics;
  /** From an SDES packet (rtpengine/captagent): the first chunk's SSRC, the chunk count, every chunk's items (as rtpengine: with their chunk's SSRC). */
  sdes_ssrc?: number;
  sdes_report_count?: number;
  sdes_information?: { sdes_chunk_ssrc: number; type: number; text: string }[];
  /** sipcap: a BYE's SSRCs and reason. */
  bye?: { ssrcs: number[]; reason?: string };
  /** sipcap: an APP packet's header (its data is not copied). */
  app?: { ssrc: number; subtype: number; name: string; data_length: number };
  /** sipcap: the packet types of the compound, in order (205/206 feedback and others are listed, not decoded). */
  packet_types: number[];
}

export interface RtcpReportBlock {
  source_ssrc: number;
  highest_seq_no: number;
  /** 8-bit fixed point fraction (0..255), as on the wire. */
  fraction_lost: number;
  ia_jitter: number;
  /** Cumulative packets lost: RFC 3550's signed 24-bit value (duplicates can make it negative). */
  packets_lost: number;
  lsr: number;
  dlsr: number;
}

/** heplify's report_blocks_xr (the first 20 bytes of a VoIP metrics block). */
export interface RtcpXrVoipFlat {
  type: number;
  id: number;
  fraction_lost: number;
  fraction_discard: number;
  burst_density: number;
  gap_density: number;
  burst_duration: number;
  gap_duration: number;
  round_trip_delay: number;
  end_system_delay: number;
}

/** Every field of an RFC 3611 VoIP metrics block (block type 7, 36 bytes). */
export interface RtcpVoipMetrics {
  ssrc: number;
  loss_rate: number;
  discard_rate: number;
  burst_density: number;
  gap_density: number;
  burst_duration: number;
  gap_duration: number;
  round_trip_delay: number;
  end_system_delay: number;
  /** dBm, signed; 127 = unavailable. */
  signal_level: number;
  noise_level: number;
  rerl: number;
  gmin: number;
  r_factor: number;
  ext_r_factor: number;
  /** MOS ×10 on the wire, divided here (127 on the wire = unavailable → 12.7). */
  mos_lq: number;
  mos_cq: number;
  rx_config: number;
  jb_nominal: number;
  jb_maximum: number;
  jb_abs_max: number;
}
