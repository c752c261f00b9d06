import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { FAVICON_SVG } from './favicon';

export interface PageAsset {
  type: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The built page (dist/apps/web/page: index.html, main.js, style.css), read once into memory and served
 * by URL path: `/` is index.html, every other file is `/page/<name>`, and the icon `/page/favicon.svg`
 * (kept in code). Nothing comes from elsewhere.
 */
export function loadPageAssets(dir: string): Map<string, PageAsset> {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the page is not built (${join(dir, 'index.html')} is missing): run node scripts/build-app.mjs web`);
  }
  const assets = new Map<string, PageAsset>([['/page/favicon.svg', { type: TYPES['.svg'], body: Buffer.from(FAVICON_SVG) }]]);
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const asset = { type, body: readFileSync(join(dir, name)) };
    assets.set(name === 'index.html' ? '/' : `/page/${name}`, asset);
  }
  return assets;
}
