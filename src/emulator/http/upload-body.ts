/**
 * @module Reading a media upload's body as X takes it: `multipart/form-data` (a file part with or
 * without a filename: the bytes are kept as they are, never decoded as text) or JSON with the
 * media base64-encoded (X's OpenAPI `MediaUploadRequest` / `AppendMediaUploadRequest`).
 */

/** The fields of an upload body: binary parts as bytes, the others as text. */
export interface UploadFields {
  bytes: Record<string, Uint8Array>;
  text: Record<string, string>;
}

function parseMultipart(body: Buffer, boundary: string): UploadFields {
  const out: UploadFields = { bytes: {}, text: {} };
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString('latin1') === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(delimiter, start);
    if (headEnd < 0 || next < 0) break;
    const head = body.subarray(start, headEnd).toString('utf8');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    // The part's content ends before the CRLF that precedes the next delimiter.
    const content = body.subarray(headEnd + 4, next - 2);
    if (name !== undefined) {
      out.bytes[name] = new Uint8Array(content);
      out.text[name] = content.toString('utf8');
    }
    at = next;
  }
  return out;
}

/** Reads an upload body; `media` given base64 in JSON is decoded to bytes. Undefined when unreadable. */
export async function readUploadBody(req: Request): Promise<UploadFields | undefined> {
  const type = req.headers.get('content-type') ?? '';
  try {
    if (type.startsWith('multipart/form-data')) {
      const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
      if (!boundary) return undefined;
      return parseMultipart(Buffer.from(await req.arrayBuffer()), boundary);
    }
    if (type.startsWith('application/json')) {
      const json = (await req.json()) as Record<string, unknown>;
      if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
      const out: UploadFields = { bytes: {}, text: {} };
      for (const [k, v] of Object.entries(json)) {
        if (typeof v === 'string') out.text[k] = v;
        else if (typeof v === 'number' || typeof v === 'boolean') out.text[k] = String(v);
      }
      if (typeof json.media === 'string') out.bytes.media = new Uint8Array(Buffer.from(json.media, 'base64'));
      return out;
    }
  } catch {
    return undefined;
  }
  return { bytes: {}, text: {} };
}
