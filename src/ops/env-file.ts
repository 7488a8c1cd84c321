/**
 * @module The `.env` file: what `rotor init` writes (every setting of the schema, commented, with a fresh key),
 * and how `rotor` reads it: from the current folder, at start, **without overriding** variables
 * already set in the environment (so a container's or a shell's settings win).
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { FEATURES, SETTINGS, type Feature, type Setting } from '../core/settings.ts';

/**
 * Loads `file` into `env` for every variable not already set there. Returns the names it set,
 * or undefined when there is no such file.
 */
export function loadDotEnv(
  file: string,
  env: Record<string, string | undefined> = process.env,
): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    if (env[name] === undefined) {
      env[name] = value;
      set.push(name);
    }
  }
  return set;
}

/** `text` as comment lines of at most `width` characters. */
function comment(text: string, width = 88): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/**
 * The commented `.env` that `rotor init` writes, with `keyEntry` as the only key: every setting
 * of the schema (src/core/settings.ts), by feature, commented out with its default or an example.
 */
export function renderEnvFile(keyEntry: string, now: Date = new Date()): string {
  const out = [
    `# Rotor settings, written by \`rotor init\` on ${now.toISOString()}.`,
    '# Rotor reads this file from the folder it runs in; variables already set in the',
    '# environment win over it. Every setting is described in docs/configuration.md.',
    '# Keep this file private: it holds the encryption key.',
  ];
  for (const [feature, title] of Object.entries(FEATURES) as [Feature, string][]) {
    // ROTOR_ENV_FILE names this file: it cannot be set inside it.
    if (feature === 'cli') continue;
    out.push('', `# --- ${title} ${'-'.repeat(Math.max(3, 84 - title.length))}`);
    for (const [name, s] of Object.entries(SETTINGS) as [string, Setting][]) {
      if (s.feature !== feature) continue;
      out.push(...comment(`${s.description}${s.note ? ` ${s.note}` : ''}`));
      if (name === 'ROTOR_KEYS') out.push(`ROTOR_KEYS=${keyEntry}`);
      else out.push(`# ${name}=${s.example ?? s.default ?? ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}
