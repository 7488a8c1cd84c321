/**
 * Finds secret-looking values in text (logs, test output): tokens and codes shaped like X's
 * (base64url of `<45 chars>:<ms>:1:1:at|rt|ac:1`) and `ROTOR_KEYS` entries (`id:` + 32 bytes).
 * Returns what kind each one is, never the value.
 */
export function findSecrets(text: string): { kind: 'x_token' | 'key_entry' }[] {
  const found: { kind: 'x_token' | 'key_entry' }[] = [];
  for (const word of text.match(/[A-Za-z0-9_-]{60,}/g) ?? []) {
    const decoded = Buffer.from(word, 'base64url').toString('latin1');
    if (/:\d{10,}:1:1:(at|rt|ac):1$/.test(decoded)) found.push({ kind: 'x_token' });
  }
  for (const m of text.matchAll(/\b[A-Za-z0-9_-]{1,32}:([A-Za-z0-9_-]{43})\b/g)) {
    if (Buffer.from(m[1] ?? '', 'base64url').length === 32) found.push({ kind: 'key_entry' });
  }
  return found;
}
