/**
 * Address text for decoded packets. libs/hep already formats addresses the way the capture record wants
 * (RFC 5952 for IPv6, `::ffff:a.b.c.d` for IPv4-mapped), so both libraries write the same text.
 */
export { formatIpv4, formatIpv6, parseIp } from '@sipcap/hep';
