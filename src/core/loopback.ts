/** @module Loopback addresses: where insecure http and control endpoints are allowed. */

/** True when `host` (a hostname or IP literal, brackets allowed) names this machine only. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
