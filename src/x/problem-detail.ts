/** @module The words of an X error body: its `errors[].message`s, else `detail`, else `title`. */

export function detailOf(body: unknown): string {
  const b = body as { detail?: unknown; errors?: { message?: unknown }[]; title?: unknown } | null;
  const messages = (b?.errors ?? []).map((e) => e.message).filter((m): m is string => typeof m === 'string');
  if (messages.length > 0) return messages.join('; ');
  return typeof b?.detail === 'string' ? b.detail : typeof b?.title === 'string' ? b.title : 'no detail';
}
