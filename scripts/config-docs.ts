/**
 * Writes docs/configuration.md from the settings schema (src/core/settings.ts), formatted as
 * Prettier would: `npm run docs:config`. `test/core/config.test.ts` fails when the file is out
 * of date.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { renderConfigDocs } from '../src/core/settings-docs.ts';

/** docs/configuration.md as it should read. */
export async function configDocs(file: string): Promise<string> {
  return format(renderConfigDocs(), { ...(await resolveConfig(file)), filepath: file });
}

export const CONFIG_DOCS = join(import.meta.dirname, '..', 'docs', 'configuration.md');

if (import.meta.main) {
  writeFileSync(CONFIG_DOCS, await configDocs(CONFIG_DOCS));
  console.log(`wrote ${CONFIG_DOCS}`);
}
