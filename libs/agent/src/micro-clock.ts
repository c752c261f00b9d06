/**
 * The wall clock in microseconds, for packets that carry no time (HEP v1, a HEP v2 with a zero time), as
 * Kamailio's sipcapture stamps them (gettimeofday). Date.now() alone gave milliseconds: a request and its
 * reply received within one millisecond got the same time and sorted either way in a call's flow.
 *
 * The microseconds come from the monotonic clock plus an offset to the wall clock. Date.now() reads whole
 * milliseconds, so a reading gives the offset less the fraction of a millisecond since the last tick: the
 * offset is raised to the largest such reading (exact to within the time from a tick to the next reading)
 * and so never gives a time before the millisecond Date.now() reads. A time that would run past that
 * millisecond (the wall clock stepped back, or runs slower) lowers the offset to end it there, rather than
 * starting again from the reading, which would step back by up to a millisecond.
 */
export class MicroClock {
  private offset?: bigint;

  constructor(
    private readonly wallMs: () => number = Date.now,
    private readonly monotonicNs: () => bigint = process.hrtime.bigint,
  ) {}

  now(): bigint {
    const mono = this.monotonicNs() / 1000n;
    const wall = BigInt(this.wallMs()) * 1000n;
    const offset = wall - mono;
    if (this.offset === undefined || offset > this.offset) this.offset = offset;
    else if (mono + this.offset >= wall + 1000n) this.offset = wall + 999n - mono;
    return mono + this.offset;
  }
}
