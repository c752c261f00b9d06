import { describe, expect, it } from 'vitest';
import { version } from '../../../package.json';
import { createRegistry } from './metrics';

describe('createRegistry', () => {
  it('exports the process metrics under their standard names, labelled with the app, and the build info', async () => {
    const text = await createRegistry('hep-agent').metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total\{app="hep-agent"\} /m);
    expect(text).toMatch(/^process_resident_memory_bytes\{app="hep-agent"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{app="hep-agent"\} /m);
    expect(text).not.toContain('sipcap_process_');
    expect(text).toContain(`sipcap_build_info{version="${version}",node="${process.version}",app="hep-agent"} 1`);
  });
});
