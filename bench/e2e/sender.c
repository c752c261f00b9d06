// Paced UDP sender for the end-to-end benchmark: sends pre-encoded HEP packets to 127.0.0.1 at a fixed
// rate with sendmmsg, in small bursts per tick, and stamps each packet's HEP time just before it leaves.
//
//   sender FILE PORT COUNT RATE [TICK_US]
//
// FILE (written by load-file.ts): repeated records of u16 length, u16 offset of the HEP3 time-seconds
// chunk data (0xffff: none; the microseconds chunk data follows 10 bytes later), then the packet.
// RATE 0 sends as fast as the socket takes them (the burst case). One JSON line on stdout at the end.
// Compiled by bench/e2e/run.sh (gcc -O2); a C sender costs a few percent of a core at 20,000/s where
// a Node sender would take a large share of the two cores the stack under test needs.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now_s(clockid_t c) {
  struct timespec ts;
  clock_gettime(c, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s FILE PORT COUNT RATE [TICK_US]\n", argv[0]);
    return 2;
  }
  const char *file = argv[1];
  int port = atoi(argv[2]);
  long count = atol(argv[3]);
  double rate = atof(argv[4]);
  long tick_us = argc > 5 ? atol(argv[5]) : 1000;

  int fd = open(file, O_RDONLY);
  if (fd < 0) { perror(file); return 1; }
  struct stat st;
  fstat(fd, &st);
  // Private mapping: the time stamps written below stay in this process.
  uint8_t *data = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  if (data == MAP_FAILED) { perror("mmap"); return 1; }

  struct iovec *iov = calloc(count, sizeof *iov);
  uint16_t *tsoff = calloc(count, sizeof *tsoff);
  long n = 0;
  size_t off = 0;
  while (n < count && off + 4 <= (size_t)st.st_size) {
    uint16_t len = (data[off] << 8) | data[off + 1];
    tsoff[n] = (data[off + 2] << 8) | data[off + 3];
    iov[n].iov_base = data + off + 4;
    iov[n].iov_len = len;
    off += 4 + len;
    n++;
  }
  if (n < count) {
    fprintf(stderr, "%s holds %ld packets, %ld asked\n", file, n, count);
    return 1;
  }

  int s = socket(AF_INET, SOCK_DGRAM, 0);
  int sndbuf = 4 << 20;
  setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  // Not connected: an ICMP "port unreachable" would otherwise fail later sends with ECONNREFUSED.
  struct mmsghdr msgs[BATCH];
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_name = &to;
    msgs[i].msg_hdr.msg_namelen = sizeof to;
  }
  long sent = 0, errors = 0;
  double max_behind = 0;
  double start_wall = now_s(CLOCK_REALTIME);
  double start = now_s(CLOCK_MONOTONIC);
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);

  while (sent < count) {
    double t = now_s(CLOCK_MONOTONIC);
    long due = rate > 0 ? (long)((t - start) * rate) + 1 : count;
    if (due > count) due = count;
    if (rate > 0 && due - sent > 0) {
      double behind = (due - sent) / rate;
      if (behind > max_behind) max_behind = behind;
    }
    while (sent < due) {
      struct timespec wall;
      clock_gettime(CLOCK_REALTIME, &wall);
      int k = due - sent < BATCH ? (int)(due - sent) : BATCH;
      for (int i = 0; i < k; i++) {
        long j = sent + i;
        if (tsoff[j] != 0xffff) {
          uint8_t *p = (uint8_t *)iov[j].iov_base + tsoff[j];
          put32(p, (uint32_t)wall.tv_sec);
          put32(p + 10, (uint32_t)(wall.tv_nsec / 1000));
        }
        msgs[i].msg_hdr.msg_iov = &iov[j];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      int r = sendmmsg(s, msgs, k, 0);
      if (r < 0) {
        // Never drop on the sender side: count, wait a little, send the same packets again.
        errors++;
        if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR) { perror("sendmmsg"); return 1; }
        usleep(200);
        continue;
      }
      sent += r;
    }
    if (rate > 0 && sent < count) {
      next.tv_nsec += tick_us * 1000;
      while (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
  }
  double secs = now_s(CLOCK_MONOTONIC) - start;
  printf("{\"sent\":%ld,\"seconds\":%.6f,\"rate\":%.1f,\"errors\":%ld,\"maxBehindMs\":%.1f,\"startMs\":%.3f,\"endMs\":%.3f}\n",
         sent, secs, secs > 0 ? sent / secs : 0, errors, max_behind * 1000, start_wall * 1000, (start_wall + secs) * 1000);
  return 0;
}
