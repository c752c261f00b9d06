import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// An operator's wrong setting stops an app at start with one line that names the variable.
// 'cli' runs `sipcap capture`; 'cli db init' runs that command.
function start(app: string, env: Record<string, string>) {
  const [name, ...command] = app.split(' ');
  const args = name === 'cli' && command.length === 0 ? ['capture'] : command;
  return spawnSync(process.execPath, [`dist/apps/${name}/main.js`, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('settings validated at start', () => {
  it.each([
    ['db-writer', { DB_URL: 'nonsense' }, 'DB_URL'],
    ['db-writer', { MT_MODE: 'sometimes' }, 'MT_MODE'],
    ['db-writer', { DB_PARTITION: 'week' }, 'DB_PARTITION'],
    ['db-writer', { RTCP_TABLE_NAME: 'rtcp_%Y%m%d', LOGS_TABLE_NAME: 'sip_capture' }, 'LOGS_TABLE_NAME'],
    ['db-writer', { REPORT_TABLE_NAME: 'report capture' }, 'REPORT_TABLE_NAME'],
    ['db-writer', { TABLE_NAME: 'sip_capture_%Q' }, 'TABLE_NAME'],
    ['web', { TABLE_NAME: 'sip_capture_%Q' }, 'TABLE_NAME'],
    ['cli db init', { TABLE_NAME: 'sip_capture_%Q' }, 'TABLE_NAME'],
    ['cli db init', { CALL_TABLE_NAME: 'call_%Y%m%' }, 'CALL_TABLE_NAME'],
    ['db-writer', { DB_RETENTION_DAYS: '7' }, 'DB_RETENTION_DAYS'], // sip_capture: neither dated nor partitioned
    ['db-writer', { DB_RETENTION_TABLES: 'sip_capture_%Y%m%d=2' }, 'DB_RETENTION_TABLES'], // not a table written
    ['hep-agent', { HEP_LISTEN: 'everywhere' }, 'HEP_LISTEN'],
    ['hep-agent', { KAFKA_PARTITIONS: '-3' }, 'KAFKA_PARTITIONS'],
    ['hep-agent', { HEP_TLS_LISTEN: '0.0.0.0:9061' }, 'HEP_TLS_LISTEN'],
    ['hep-agent', { CAPTURE_ON: 'perhaps' }, 'CAPTURE_ON'],
    ['hep-agent', { FILTER_DISCARD_SRC: '10.0.0.0/33' }, 'FILTER_DISCARD_SRC'],
    ['hep-agent', { FILTER_DISCARD_UA: 'scanner(' }, 'FILTER_DISCARD_UA'],
    ['cli', { REDIS_URL: 'nowhere' }, 'REDIS_URL'],
    ['web', { WEB_LISTEN: 'everywhere' }, 'WEB_LISTEN'],
    ['web', { WEB_AUTH_TOKEN: 'too-short' }, 'WEB_AUTH_TOKEN'],
  ] as const)('%s with %o exits 2 naming %s', (app, env, variable) => {
    const r = start(app, env);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    // Apps print exactly that line; the CLI adds where to find the command's help.
    const cli = app.startsWith('cli');
    expect(lines).toHaveLength(cli ? 2 : 1);
    expect(lines[0]).toMatch(new RegExp(`^(${cli ? 'sipcap [a-z ]+' : app}): invalid setting ${variable}`));
  });
});
