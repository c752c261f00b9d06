// sipcap: the operator's command line (capture flag, fleet status, pcap replay as HEP, database setup).
import { processIo } from './cli-io';
import { runCli } from './run-cli';

void runCli(process.argv.slice(2), processIo()).then((code) => {
  // exitCode, not exit(): stdout may still be draining into a pipe. Every command closes its
  // connections; should a client library keep a handle open anyway, the unref'd timer ends the process.
  process.exitCode = code;
  setTimeout(() => process.exit(code), 3000).unref();
});
