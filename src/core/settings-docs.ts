/**
 * @module docs/configuration.md, generated from the settings schema (settings.ts):
 * `npm run docs:config` writes it, and a test fails when the file differs from the schema.
 */
import { FEATURES, SETTINGS, type Feature, type Setting } from './settings.ts';

const cell = (v: string) => v.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The Markdown of docs/configuration.md. */
export function renderConfigDocs(): string {
  const out = [
    '# Configuration',
    '',
    '<!-- Generated from src/core/settings.ts by `npm run docs:config`; edit the schema, not this file. -->',
    '',
    'Rotor reads its settings from environment variables, and from a `.env` file in the folder it',
    'runs in (`ROTOR_ENV_FILE`; variables already set in the environment win). `rotor init` writes a',
    'commented `.env` with every setting and a fresh key; `rotor doctor` checks them and shows what',
    'is set. An empty value counts as unset. A value that is not allowed stops every command with a',
    'message naming the variable and what is allowed (exit code 2): Rotor never runs half-configured.',
    'Secret values (marked 🔒) are never shown in messages, logs or `rotor doctor`.',
  ];
  for (const [feature, title] of Object.entries(FEATURES) as [Feature, string][]) {
    out.push(
      '',
      `## ${title}`,
      '',
      '| Variable | Type | Default | What it does |',
      '| --- | --- | --- | --- |',
    );
    for (const [name, s] of Object.entries(SETTINGS) as [string, Setting][]) {
      if (s.feature !== feature) continue;
      const what = `${s.description}${s.note ? ` ${s.note}` : ''}`;
      out.push(
        `| \`${name}\`${s.secret ? ' 🔒' : ''} | ${cell(s.type)} | ${s.default === undefined ? '—' : cell(`\`${s.default}\``)} | ${cell(what)} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
