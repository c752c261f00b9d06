#!/usr/bin/env node
// Bundles one app (apps/<name>/src/main.ts, plus any *.worker.ts) into dist/apps/<name>/ with esbuild.
// The @sipcap/* libs are bundled in (resolved through tsconfig paths); npm packages stay external.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';

const name = process.argv[2];
if (!name || !existsSync(`apps/${name}/src/main.ts`)) {
  console.error(`usage: build-app.mjs <app>  (apps/<app>/src/main.ts must exist)`);
  process.exit(2);
}
const src = `apps/${name}/src`;
const entryPoints = [
  `${src}/main.ts`,
  ...readdirSync(src)
    .filter((f) => f.endsWith('.worker.ts'))
    .map((f) => `${src}/${f}`),
];
await build({
  entryPoints,
  outdir: `dist/apps/${name}`,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  packages: 'external',
  tsconfig: 'tsconfig.base.json',
  logLevel: 'warning',
});
// A browser page (apps/<app>/page/main.ts): bundled for the browser, with its HTML and CSS beside it.
const page = `apps/${name}/page`;
if (existsSync(`${page}/main.ts`)) {
  await build({
    entryPoints: [`${page}/main.ts`],
    outfile: `dist/apps/${name}/page/main.js`,
    bundle: true,
    platform: 'browser',
    target: 'es2020',
    format: 'iife',
    sourcemap: true,
    minify: true,
    logLevel: 'warning',
  });
  mkdirSync(`dist/apps/${name}/page`, { recursive: true });
  for (const f of readdirSync(page).filter((f) => f.endsWith('.html') || f.endsWith('.css')))
    copyFileSync(`${page}/${f}`, `dist/apps/${name}/page/${f}`);
}
console.log(`built dist/apps/${name}`);
