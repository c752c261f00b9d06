/** HEP3 chunk types of vendor 0 (the generic vendor), as in the HEP3 specification. */
export const ChunkType = {
  FAMILY: 1,
  IP_PROTO: 2,
  IPV4_SRC: 3,
  IPV4_DST: 4,
  IPV6_SRC: 5,
  IPV6_DST: 6,
  SRC_PORT: 7,
  DST_PORT: 8,
  TIME_SEC: 9,
  TIME_USEC: 10,
  PAYLOAD_TYPE: 11,
  CAPTURE_ID: 12,
  KEEP_ALIVE: 13,
  AUTH_KEY: 14,
  PAYLOAD: 15,
  COMPRESSED_PAYLOAD: 16,
  CORRELATION_ID: 17,
  VLAN: 18,
  NODE_NAME: 19,
} as const;

/** Size of the HEP3 header (`HEP3` + u16 total length) and of each chunk header (vendor, type, length). */
export const HEP3_HEADER_SIZE = 6;
export const CHUNK_HEADER_SIZE = 6;

/** Largest HEP3 packet: the total length is a u16. */
export const HEP3_MAX_SIZE = 0xffff;

/** `HEP3` and `EEP3` read as big-endian u32. */
export const HEP3_MAGIC = 0x48455033;
export const EEP3_MAGIC = 0x45455033;

/**
 * Chunk length (header included) of the fixed-size vendor-0 types, indexed by type; 0 for the
 * variable-size ones (strings, payloads). Types beyond the table are unknown and skipped.
 */
export const FIXED_CHUNK_LENGTH: readonly number[] = [
  0, // 0 unused
  7, // 1 family u8
  7, // 2 IP protocol u8
  10, // 3 IPv4 source
  10, // 4 IPv4 destination
  22, // 5 IPv6 source
  22, // 6 IPv6 destination
  8, // 7 source port u16
  8, // 8 destination port u16
  10, // 9 seconds u32
  10, // 10 microseconds u32
  7, // 11 payload type u8
  10, // 12 capture agent id u32
  8, // 13 keep-alive u16
  0, // 14 auth key
  0, // 15 payload
  0, // 16 compressed payload
  0, // 17 correlation id
  8, // 18 VLAN u16
  0, // 19 node name
];
