import { SECRET_SETTINGS, SETTINGS, type SettingName } from './settings';

/**
 * docs/settings.md, rendered from the settings themselves: every name in SETTINGS with its default (what
 * an empty environment gives) and the comment written above it in settings.ts, under the section comment
 * it stands in. `settings-reference.test.ts` fails when the file drifts from the code.
 */
export function renderSettingsReference(settingsSource: string): string {
  const lines = settingsSource.split('\n');
  const start = lines.findIndex((l) => l.startsWith('export const SETTINGS = {'));
  const out: string[] = [
    '# Settings',
    '',
    'Every setting of sipcap, read from the environment or a `.env` file in the working directory (the',
    'environment wins), by every app and `sipcap` alike; each app reads the ones it uses and refuses a bad value',
    "at start with one line naming it (exit 2). Names follow Kamailio's sipcapture parameters where one exists.",
    'Secret settings are never logged.',
    '',
    'Generated from `libs/config/src/settings.ts`; do not edit by hand. Regenerate:',
    '`UPDATE_DOCS=1 npx vitest run --project unit libs/config/src/settings-reference`',
  ];
  let comment: string[] = [];
  let tableOpen = false;
  const seen = new Set<string>();
  for (let i = start + 1; i < lines.length && !lines[i].startsWith('}'); i++) {
    const line = lines[i];
    const commentMatch = /^ {2}\/\/ ?(.*)$/.exec(line);
    const nameMatch = /^ {2}([A-Z][A-Z0-9_]*):/.exec(line);
    if (line.trim() === '') {
      comment = [];
      continue;
    }
    // A section comment follows a blank line (`// storage (db-writer, cli, web)`); text after its first ': '
    // describes the setting below it.
    if (commentMatch && (i === start + 1 || lines[i - 1].trim() === '')) {
      const [title, ...rest] = commentMatch[1].split(': ');
      out.push('', `## ${title[0].toUpperCase()}${title.slice(1)}`, '', '| Setting | Default | What it does |', '|---|---|---|');
      tableOpen = true;
      comment = rest.length > 0 ? [rest.join(': ')] : [];
      continue;
    }
    if (commentMatch) {
      comment.push(commentMatch[1]);
      continue;
    }
    if (nameMatch && nameMatch[1] in SETTINGS) {
      const name = nameMatch[1] as SettingName;
      if (!tableOpen) {
        out.push('', '| Setting | Default | What it does |', '|---|---|---|');
        tableOpen = true;
      }
      seen.add(name);
      const secret = SECRET_SETTINGS.has(name) ? ' (secret)' : '';
      out.push(`| \`${name}\`${secret} | ${cell(defaultText(name))} | ${cell(comment.join(' '))} |`);
      comment = [];
    }
  }
  const missing = Object.keys(SETTINGS).filter((n) => !seen.has(n));
  if (missing.length > 0) throw new Error(`settings not found in the source: ${missing.join(', ')}`);
  return out.join('\n') + '\n';
}

function defaultText(name: SettingName): string {
  const parsed = SETTINGS[name].safeParse(undefined);
  if (!parsed.success) return '(required)';
  const v: unknown = parsed.data;
  if (v === undefined || v === '') return '-';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return v.length === 0 ? '-' : v.join(',');
  if (typeof v === 'object' && v !== null && 'host' in v && 'port' in v)
    return `${(v as { host: string }).host}:${(v as { port: number }).port}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const cell = (s: string) => (s === '' ? '' : s.replace(/\|/g, '\\|').replace(/`/g, '`'));
