/**
 * @module `rotor doctor`'s settings checks, from the schema (src/core/settings.ts): each invalid
 * variable with what is allowed, each `ROTOR_…` variable that is not a setting (a typo is a
 * setting silently left at its default), and per feature what is set and what is at its default.
 * Secret values are never shown, only that they are set.
 */
import { checkConfig, type RotorConfig } from '../../core/config.ts';
import {
  defaultOf,
  FEATURES,
  SETTINGS,
  unknownSettings,
  type Feature,
  type Setting,
  type SettingName,
} from '../../core/settings.ts';
import type { CheckResult } from './result.ts';

type Env = Record<string, string | undefined>;

/** The configuration (when valid) and what the checks found. */
export function checkSettings(env: Env): { config: RotorConfig | undefined; results: CheckResult[] } {
  const checked = checkConfig(env);
  const results: CheckResult[] = [];
  if (!checked.ok) {
    for (const p of checked.problems) {
      const setting = SETTINGS[p.variable as SettingName] as Setting | undefined;
      results.push({
        name: 'configuration',
        status: 'fail',
        message: p.message,
        fix: setting
          ? `set ${p.variable} to ${setting.type}, or remove it (docs/configuration.md; \`rotor init\` writes a commented .env)`
          : 'correct this variable (docs/configuration.md; `rotor init` writes a commented .env)',
      });
    }
    return { config: undefined, results };
  }
  for (const name of unknownSettings(env)) {
    results.push({
      name: 'configuration',
      status: 'warn',
      message: `${name} is not a Rotor setting; it is ignored`,
      fix: 'check the name against docs/configuration.md (a misspelt setting stays at its default)',
    });
  }
  return { config: checked.config, results };
}

/** One line per feature: the variables set (secrets as "set"), those at their default, those unset. */
export function describeSettings(env: Env): CheckResult[] {
  const byFeature = new Map<Feature, SettingName[]>();
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const f = SETTINGS[name].feature;
    byFeature.set(f, [...(byFeature.get(f) ?? []), name]);
  }
  return (Object.keys(FEATURES) as Feature[]).map((feature) => {
    const set: string[] = [];
    const defaults: string[] = [];
    const off: string[] = [];
    for (const name of byFeature.get(feature) ?? []) {
      const raw = env[name]?.trim();
      const s = SETTINGS[name] as Setting;
      if (raw) set.push(s.secret ? `${name} (set)` : `${name}=${raw}`);
      else if (defaultOf(name) !== undefined) defaults.push(`${name}=${defaultOf(name)}`);
      else off.push(name);
    }
    const parts = [
      set.length > 0 ? `set: ${set.join(', ')}` : 'none set',
      ...(defaults.length > 0 ? [`default: ${defaults.join(', ')}`] : []),
      ...(off.length > 0 ? [`unset: ${off.join(', ')}`] : []),
    ];
    return { name: `settings (${feature})`, status: 'ok' as const, message: parts.join('; ') };
  });
}
