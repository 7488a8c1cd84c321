/** @module The settings of `rotor serve`'s web server (part of the list in settings.ts). */
import { custom, define, port, rateLimit, text, wholeNumber, oneOf } from './setting-kinds.ts';

/** Where `rotor serve` listens, and the web app's security settings (docs/security.md). */
export const WEB_SETTINGS = define({
  PORT: {
    feature: 'web',
    type: 'port number (0–65535)',
    default: '3000',
    description: 'The port rotor serve listens on.',
    schema: port('PORT', 0),
  },
  ROTOR_HOST: {
    feature: 'web',
    type: 'host name or IP address',
    default: '127.0.0.1',
    description: 'The address rotor serve binds to (0.0.0.0 in a container).',
    schema: text,
  },
  ROTOR_EMULATOR_PORT: {
    feature: 'web',
    type: 'port number (0–65535)',
    default: '4100',
    description: 'In demo mode, the port of the X emulator rotor serve starts.',
    schema: port('ROTOR_EMULATOR_PORT', 0),
  },
  ROTOR_PUBLIC_URL: {
    feature: 'web',
    type: 'http(s) URL',
    description:
      'The origin people use (behind a proxy); a form or API call whose Origin differs is refused. Unset: compared with Host.',
    example: 'https://rotor.example.com',
    schema: custom('ROTOR_PUBLIC_URL', (v) => {
      const url = URL.canParse(v) ? new URL(v) : undefined;
      return url && (url.protocol === 'https:' || url.protocol === 'http:')
        ? { ok: url.origin }
        : { problem: 'must be an http(s) URL such as https://rotor.example.com' };
    }),
  },
  ROTOR_SESSION_IDLE_SECONDS: {
    feature: 'web',
    type: 'whole seconds ≥ 60',
    default: '604800',
    description: 'Sign-in sessions end after this long without use (and 30 days after sign-in in any case).',
    schema: wholeNumber('ROTOR_SESSION_IDLE_SECONDS', 60),
  },
  ROTOR_RATE_LIMIT_SIGNIN: {
    feature: 'web',
    type: '"COUNT/SECONDS" or off',
    default: '30/60',
    description: 'Sign-in (and connect) starts per client address.',
    schema: rateLimit('ROTOR_RATE_LIMIT_SIGNIN'),
  },
  ROTOR_RATE_LIMIT_CALLBACK: {
    feature: 'web',
    type: '"COUNT/SECONDS" or off',
    default: '30/60',
    description: 'OAuth callbacks per client address.',
    schema: rateLimit('ROTOR_RATE_LIMIT_CALLBACK'),
  },
  ROTOR_RATE_LIMIT_API_KEY_FAILURES: {
    feature: 'web',
    type: '"COUNT/SECONDS" or off',
    default: '10/60',
    description: 'Failed API-key authentications per client address.',
    schema: rateLimit('ROTOR_RATE_LIMIT_API_KEY_FAILURES'),
  },
  ROTOR_RATE_LIMIT_TOKENS_PER_KEY: {
    feature: 'web',
    type: '"COUNT/SECONDS" or off',
    default: '120/60',
    description: 'Token broker hand-outs per API key or signed-in user.',
    schema: rateLimit('ROTOR_RATE_LIMIT_TOKENS_PER_KEY'),
  },
  ROTOR_RATE_LIMIT_TOKENS_PER_ADDRESS: {
    feature: 'web',
    type: '"COUNT/SECONDS" or off',
    default: '300/60',
    description: 'Token broker hand-outs per client address.',
    schema: rateLimit('ROTOR_RATE_LIMIT_TOKENS_PER_ADDRESS'),
  },
  ROTOR_TRUST_PROXY: {
    feature: 'web',
    type: '1 or 0',
    default: '0',
    description: '1: behind one reverse proxy, the client address is the last X-Forwarded-For entry.',
    schema: oneOf('ROTOR_TRUST_PROXY', ['1', '0'] as const),
  },
});
