#!/usr/bin/env python3
"""Sends packets the kernel stack cannot make here, for the raw capture tests (run inside a test netns).

  raw-send.py ipip <dst-ipv4>   IP-in-IP: each input packet (a whole inner IP packet) goes out as the
                                payload of an IPv4 packet of protocol 4 built, routed and (when larger than
                                the MTU) fragmented by the kernel
  raw-send.py ether <iface>     each input is a whole Ethernet frame, sent as is (AF_PACKET)

Input on stdin: packets as a 4-byte big-endian length followed by the bytes.
"""
import socket
import struct
import sys

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT = 0


def packets(data):
    off = 0
    while off + 4 <= len(data):
        (n,) = struct.unpack_from('>I', data, off)
        yield data[off + 4:off + 4 + n]
        off += 4 + n


def main():
    mode, target = sys.argv[1], sys.argv[2]
    data = sys.stdin.buffer.read()
    if mode == 'ipip':
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
        s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT)
        for p in packets(data):
            s.sendto(p, (target, 0))
    elif mode == 'ether':
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((target, 0))
        for f in packets(data):
            s.send(f)
    else:
        sys.exit('unknown mode ' + mode)
    print('sent')


main()
