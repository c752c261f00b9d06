#!/usr/bin/env python3
"""Sends Ethernet frames on an interface at a fixed rate, for bench/mirror-rate.ts.

  send-rate.py <iface> <frames-per-second> <seconds>
Frames on stdin as a 4-byte big-endian length and the bytes; they are sent round robin, in bursts every
millisecond, and the achieved rate is printed as JSON.
"""
import json
import socket
import struct
import sys
import time


def main():
    iface, pps, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    data = sys.stdin.buffer.read()
    frames, off = [], 0
    while off + 4 <= len(data):
        (n,) = struct.unpack_from('>I', data, off)
        frames.append(data[off + 4:off + 4 + n])
        off += 4 + n
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 * 1024 * 1024)
    s.bind((iface, 0))
    send = s.send
    count, nframes, sent, errors = len(frames), len(frames), 0, 0
    start = time.perf_counter()
    end = start + seconds
    while True:
        now = time.perf_counter()
        if now >= end:
            break
        # At most 2 ms worth per burst, so the clock is looked at often enough.
        due = min(int((now - start) * pps), sent + max(1, int(pps / 500)))
        while sent < due:
            try:
                send(frames[sent % nframes])
            except OSError:
                errors += 1
            sent += 1
        time.sleep(0.0005)
    elapsed = time.perf_counter() - start
    print(json.dumps({'sent': sent, 'seconds': elapsed, 'rate': sent / elapsed, 'errors': errors, 'distinct': count}))


main()
