/** Why a capture source could not start (the agent exits with the message, on one line). */
export type CaptureStartReason =
  'no-such-interface' | 'no-permission' | 'bad-filter' | 'unsupported-linktype' | 'open-failed' | 'file-unreadable' | 'bad-file';

export class CaptureStartError extends Error {
  constructor(
    readonly reason: CaptureStartReason,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureStartError';
  }
}

/** What to do about a capture permission error, said once, the same way everywhere. */
export const PERMISSION_HINT =
  'run the agent as root, or give it CAP_NET_RAW and CAP_NET_ADMIN (setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(which node)")"; in a container: --cap-add NET_RAW --cap-add NET_ADMIN)';

/** Sorts a libpcap open error by its text (libpcap reports errors as strings only). */
export function classifyOpenError(message: string): 'no-permission' | 'no-such-interface' | 'other' {
  const m = message.toLowerCase();
  if (m.includes('permission') || m.includes('not permitted')) return 'no-permission';
  if (m.includes('no such device')) return 'no-such-interface';
  return 'other';
}
