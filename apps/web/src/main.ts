// web: search the captured SIP in the sip_capture tables and see each call as a ladder diagram, in
// the browser. Reads DB_URL and TABLE_NAME like the db-writer; never writes.
import { join } from 'node:path';
import { describeConfig, loadConfigOrExit } from '@sipcap/config';
import { CallReports, candidateTables, openSearchDb, Searcher } from '@sipcap/search';
import { OTHER_PEER, PeerMap } from '@sipcap/sip-stats';
import { startApp } from '@sipcap/telemetry';
import { checkBindPolicy } from './bind-policy';
import { loadPageAssets } from './page-assets';
import { buildWebServer } from './web-server';

const APP = 'web';
const config = loadConfigOrExit(
  APP,
  [
    'DB_URL',
    'TABLE_NAME',
    'CALL_TABLE_NAME',
    'REGISTRATION_TABLE_NAME',
    'REST_TABLE_NAME',
    'RTCP_TABLE_NAME',
    'REPORT_TABLE_NAME',
    'LOGS_TABLE_NAME',
    'WEB_LISTEN',
    'WEB_AUTH_TOKEN',
    'WEB_SEARCH_MAX_RANGE_S',
    'WEB_QUERY_TIMEOUT_MS',
    'WEB_RATE_LIMIT_MAX',
    'WEB_RATE_LIMIT_WINDOW_S',
    'WEB_EXPORT_MAX_BYTES',
    'STATS_PEERS',
    'METRICS_HOST',
    'METRICS_PORT',
    'LOG_LEVEL',
  ],
  {
    defaults: { METRICS_PORT: '9095' },
  },
);
const policy = checkBindPolicy(config.WEB_LISTEN.host, config.WEB_AUTH_TOKEN);
if (!policy.ok) {
  process.stderr.write(`${APP}: ${policy.message}\n`);
  process.exit(2);
}

// HOMER 5 kind tables are searched with TABLE_NAME's: a call's messages may lie in several of them.
const tableName = [config.TABLE_NAME, config.CALL_TABLE_NAME, config.REGISTRATION_TABLE_NAME, config.REST_TABLE_NAME]
  .filter(Boolean)
  .join('|');
try {
  candidateTables(tableName, 0, 0);
} catch (e) {
  process.stderr.write(`${APP}: invalid setting TABLE_NAME: ${(e as Error).message.replace(/^TABLE_NAME: /, '')}\n`);
  process.exit(2);
}

void startApp(
  APP,
  { logLevel: config.LOG_LEVEL, metricsHost: config.METRICS_HOST, metricsPort: config.METRICS_PORT },
  async ({ log, registry, health }) => {
    log.info({ config: describeConfig(config) }, 'starting');
    const db = openSearchDb(config.DB_URL, {
      statementTimeoutMs: config.WEB_QUERY_TIMEOUT_MS,
      onIdleError: (e) => log.warn({ err: e.message }, 'database: idle connection failed'),
    });
    // A call view reads at most what an export may hold: bounded in bytes as well as in messages.
    const peers = new PeerMap(config.STATS_PEERS);
    const searcher = new Searcher({ db, tableName, maxCallBytes: config.WEB_EXPORT_MAX_BYTES });
    // The call's RTCP, QoS reports and logs (Kamailio's report tables), sharing the searcher's table listing.
    const reports = new CallReports({
      db,
      catalog: searcher.catalog,
      tableNames: { rtcp: config.RTCP_TABLE_NAME, report: config.REPORT_TABLE_NAME, logs: config.LOGS_TABLE_NAME },
    });
    const server = await buildWebServer({
      searcher,
      reports,
      authToken: config.WEB_AUTH_TOKEN,
      loopbackHostsOnly: !policy.auth,
      searchMaxRangeMs: config.WEB_SEARCH_MAX_RANGE_S * 1000,
      rateLimit: { max: config.WEB_RATE_LIMIT_MAX, windowMs: config.WEB_RATE_LIMIT_WINDOW_S * 1000 },
      exportMaxBytes: config.WEB_EXPORT_MAX_BYTES,
      // Addresses are named as the stats app names its peers (one setting for both).
      peerName: (ip) => {
        const name = peers.peerOf(ip);
        return name === OTHER_PEER ? undefined : name;
      },
      page: loadPageAssets(join(__dirname, 'page')),
      log,
      registry,
    });
    const { host, port } = config.WEB_LISTEN;
    await server.listen({ host, port });
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;
    log.info({ url, auth: policy.auth ? 'bearer token (WEB_AUTH_TOKEN)' : 'none (loopback only)' }, 'web listening');
    db.query('SELECT 1', []).catch((e: Error) =>
      log.warn({ err: e.message, db: describeConfig({ DB_URL: config.DB_URL }).DB_URL }, 'database not reachable yet'),
    );
    health.register('database', async () => {
      await db.query('SELECT 1', []);
      return true;
    });
    return async () => {
      await server.close();
      await db.close();
    };
  },
);
