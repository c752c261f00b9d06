#!/usr/bin/env node
// `npm test`: every test (unit beside the code, integration under test/ against the real servers),
// closing with the line "N passed, N failed". On a fresh machine it first runs the setup, and it
// starts Kafka for the run when it is not running (and stops it afterwards).
// Extra arguments go to vitest (e.g. `npm test -- --project unit`, `npm test -- test/kafka.test.ts`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';

const args = process.argv.slice(2);
const unitOnly = args.includes('unit') && args.includes('--project');
const sh = (cmd, cmdArgs) => spawnSync(cmd, cmdArgs, { stdio: 'inherit' }).status === 0;
const answers = (port) =>
  new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

if (!existsSync('node_modules/.bin/vitest') || !existsSync('dist/apps')) {
  console.log('[test] first run on this machine: running scripts/setup.sh');
  if (!sh('bash', ['scripts/setup.sh'])) process.exit(1);
} else if (!unitOnly) {
  // Apps under test run from their bundles: rebuild them (cached by Nx when nothing changed).
  sh('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static', '--skipNxCache=false']);
}
let startedKafka = false;
if (!unitOnly && !(await answers(Number(process.env.KAFKA_PORT ?? 9092)))) {
  if (!sh('bash', ['scripts/kafka.sh', 'start'])) process.exit(1);
  startedKafka = true;
}

const report = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
rmSync(report, { force: true });
// Without --project: the unit and integration projects.
const projects = args.includes('--project') ? [] : ['--project', 'unit', '--project', 'integration'];
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...projects, ...args],
  {
    stdio: 'inherit',
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1', NX_DAEMON: 'false' },
  },
);
if (startedKafka) sh('bash', ['scripts/kafka.sh', 'stop']);

let passed = 0,
  failed = 0,
  skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests;
  failed = result.numFailedTests;
  skipped = result.numPendingTests + result.numTodoTests;
  // A file that fails to load has no tests but is a failure.
  failed += result.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} catch {
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status !== 0 || failed > 0 ? 1 : 0);
