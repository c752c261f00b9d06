import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, startAgent } from './support/agent-process';
import { uniqueName } from './support/kafka';

/** Start-up errors of the raw agents: a clear message and a non-zero exit, before any capture. */
async function exitOf(app: string, env: Record<string, string>, opts: { withoutCapturePermission?: boolean } = {}) {
  const agent = startAgent(
    app,
    { CAPTURE_FLAG_KEY: uniqueName('raw-startup-flag'), KAFKA_TOPIC: uniqueName('raw-startup'), ...env },
    opts.withoutCapturePermission ? { withoutCaptureCaps: true } : {},
  );
  const timer = setTimeout(() => agent.child.kill('SIGKILL'), 30_000);
  const { code } = await agent.exited;
  clearTimeout(timer);
  return { code, output: agent.output() };
}

const mirror = { RAW_MONI_CAPTURE_ON: '1', RAW_SOCKET_LISTEN: '0.0.0.0:5060', RAW_INTERFACE: 'lo' };
const ipip = { RAW_IPIP_CAPTURE_ON: '1', RAW_SOCKET_LISTEN: '127.0.0.1:5060', RAW_INTERFACE: 'lo' };

describe('raw agents refuse to start with a clear message', () => {
  beforeAll(() => {
    buildApp('mirror-agent');
    buildApp('ipip-agent');
  });

  it('when both raw modes are on', async () => {
    const m = await exitOf('mirror-agent', { ...mirror, RAW_IPIP_CAPTURE_ON: '1' });
    expect(m.code).toBe(2);
    expect(m.output).toContain('mirror-agent: RAW_IPIP_CAPTURE_ON=1 is not for mirror-agent: one raw mode per agent');
    const i = await exitOf('ipip-agent', { ...ipip, RAW_MONI_CAPTURE_ON: '1' });
    expect(i.code).toBe(2);
    expect(i.output).toContain('ipip-agent: RAW_MONI_CAPTURE_ON=1 is not for ipip-agent: one raw mode per agent');
  });

  it('when its own mode is not on', async () => {
    const r = await exitOf('ipip-agent', { RAW_SOCKET_LISTEN: '127.0.0.1', RAW_INTERFACE: 'lo' });
    expect(r.code).toBe(2);
    expect(r.output).toContain('ipip-agent: RAW_IPIP_CAPTURE_ON is not on');
  });

  it('when RAW_SOCKET_LISTEN is missing or not an address', async () => {
    const r = await exitOf('mirror-agent', { ...mirror, RAW_SOCKET_LISTEN: '' });
    expect(r.code).toBe(2);
    expect(r.output).toContain('mirror-agent: RAW_SOCKET_LISTEN is not set');
    const bad = await exitOf('ipip-agent', { ...ipip, RAW_SOCKET_LISTEN: '127.0.0.1:99999' });
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('invalid setting RAW_SOCKET_LISTEN');
  });

  it('when the interface does not exist, naming the ones that do', async () => {
    const r = await exitOf('mirror-agent', { ...mirror, RAW_INTERFACE: 'nosuch0' });
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/capture interface \\"nosuch0\\" not found \(RAW_INTERFACE\); available: [^"]*\blo\b/);
  });

  it.skipIf(!existsSync('/usr/bin/setpriv'))('without capture permission, saying how to grant it', async () => {
    const r = await exitOf('mirror-agent', mirror, { withoutCapturePermission: true });
    expect(r.code).toBe(1);
    expect(r.output).toContain('no permission to capture on \\"lo\\"');
    expect(r.output).toContain('run the agent as root, or give it CAP_NET_RAW and CAP_NET_ADMIN');
  });

  it('when PCAP_FILE cannot be read', async () => {
    const r = await exitOf('mirror-agent', { ...mirror, PCAP_FILE: '/nonexistent/capture.pcap' });
    expect(r.code).toBe(1);
    expect(r.output).toContain('cannot read PCAP_FILE /nonexistent/capture.pcap');
  });
});
