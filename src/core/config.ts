/**
 * @module Configuration from the environment, validated at start with messages that say what to
 * change. Every variable is documented in the README ("Configuration").
 */
import { isLoopbackHost } from './loopback.ts';
import { RotorError } from './errors.ts';
import { loadOpsConfig, type OpsConfig } from './ops-config.ts';

export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:3000/auth/x/callback';

export interface RotorConfig {
  x: {
    clientId: string;
    /** Absent → a public client. */
    clientSecret: string | undefined;
    redirectUri: string;
    /** Every X endpoint at this origin (the emulator); undefined → X itself. */
    emulatorUrl: string | undefined;
    /** No X credentials were given: the demo client against the emulator. */
    demo: boolean;
  };
  databaseUrl: string | undefined;
  dataDir: string;
  /** Raw `ROTOR_KEYS`; parsed by the key ring. */
  keys: string | undefined;
  /** Explicit `ROTOR_REFRESH_MARGIN`, in ms; undefined → the vault's default. */
  refreshMarginMs: number | undefined;
  /** Logs and notifications (`ROTOR_LOG_*`, `ROTOR_SMTP_URL`, `ROTOR_WEBHOOK_*`, …). */
  ops: OpsConfig;
}

type Env = Record<string, string | undefined>;

function checkUrl(name: string, value: string, problems: string[], opts: { loopbackHttp: boolean }): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} is not a URL: "${value}"`);
    return;
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (opts.loopbackHttp ? isLoopbackHost(url.hostname) : true)) return;
  problems.push(`${name} must use https (plain http is allowed only for 127.0.0.1 / localhost): "${value}"`);
}

/** Reads and validates the configuration; throws `config_invalid` listing every problem. */
export function loadConfig(env: Env = process.env): RotorConfig {
  const problems: string[] = [];
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const clientId = get('X_CLIENT_ID');
  const clientSecret = get('X_CLIENT_SECRET');
  const emulatorUrl = get('X_EMULATOR_URL');
  const redirectUri = get('X_REDIRECT_URI') ?? DEFAULT_REDIRECT_URI;
  if (emulatorUrl !== undefined) checkUrl('X_EMULATOR_URL', emulatorUrl, problems, { loopbackHttp: true });
  checkUrl('X_REDIRECT_URI', redirectUri, problems, { loopbackHttp: true });
  if (clientSecret !== undefined && clientId === undefined)
    problems.push('X_CLIENT_SECRET is set but X_CLIENT_ID is not');
  const databaseUrl = get('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const marginRaw = get('ROTOR_REFRESH_MARGIN');
  let refreshMarginMs: number | undefined;
  if (marginRaw !== undefined) {
    if (!/^\d+$/.test(marginRaw))
      problems.push(`ROTOR_REFRESH_MARGIN must be whole seconds ≥ 0, got "${marginRaw}"`);
    else refreshMarginMs = Number(marginRaw) * 1000;
  }
  const ops = loadOpsConfig(env);
  if (!ops.ok) problems.push(...ops.problems);
  if (problems.length > 0 || !ops.ok) {
    throw new RotorError(
      'config_invalid',
      `configuration problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  const demo = clientId === undefined;
  return {
    x: {
      clientId: clientId ?? 'rotor-demo',
      clientSecret: demo ? 'rotor-demo-secret' : clientSecret,
      redirectUri,
      emulatorUrl: emulatorUrl ? new URL(emulatorUrl).origin : undefined,
      demo,
    },
    databaseUrl,
    dataDir: get('ROTOR_DATA_DIR') ?? './.rotor',
    keys: get('ROTOR_KEYS'),
    refreshMarginMs,
    ops: ops.config,
  };
}
