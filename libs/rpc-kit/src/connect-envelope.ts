/**
 * The envelope of a Connect streaming message (connectrpc.com/docs/protocol, "Streaming-Request"): one byte of
 * flags, the message's length as a 4-byte big-endian number, then the message.
 */

/** The envelope's flag of a compressed message (compressed with the stream's `connect-content-encoding`). */
export const COMPRESSED_FLAG = 0x01;
/** The envelope's flag of the end-of-stream message (a JSON object: `error` and `metadata`), last in a response. */
export const END_STREAM_FLAG = 0x02;
/** The bytes before an enveloped message. */
export const ENVELOPE_PREFIX_BYTES = 5;

/** One enveloped message. */
export interface Envelope {
  readonly flags: number;
  readonly data: Uint8Array;
}

/** An envelope's bytes: the 5-byte prefix and the data. */
export function encodeEnvelope(flags: number, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(ENVELOPE_PREFIX_BYTES + data.byteLength);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, flags);
  view.setUint32(1, data.byteLength);
  bytes.set(data, ENVELOPE_PREFIX_BYTES);
  return bytes;
}

const HOW = "a server-streaming request is one enveloped message: a flags byte (0), the message's length as 4 big-endian bytes, then the message";

/**
 * The one enveloped message a server-streaming request body holds, or why the body is not exactly that: too
 * short for a prefix, a length that does not match the bytes that follow, more than one message, or flags a
 * request cannot carry (end-of-stream, unknown bits).
 */
export function readSingleEnvelope(body: Uint8Array): Envelope | { readonly problem: string } {
  if (body.byteLength < ENVELOPE_PREFIX_BYTES) return { problem: `has ${body.byteLength} bytes, fewer than the 5-byte prefix: ${HOW}` };
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const flags = view.getUint8(0);
  const length = view.getUint32(1);
  const following = body.byteLength - ENVELOPE_PREFIX_BYTES;
  if (flags === 0x7b) return { problem: `starts with "{", a JSON message without its envelope: ${HOW}` };
  if ((flags & ~COMPRESSED_FLAG) !== 0) {
    return { problem: `has envelope flags 0x${flags.toString(16).padStart(2, "0")}: a request message takes 0, or 1 when compressed; ${HOW}` };
  }
  if (length > following) return { problem: `declares a message of ${length} bytes but ${following} follow: ${HOW}` };
  if (length < following) return { problem: `holds ${following - length} bytes after its message: a server-streaming call takes exactly one message; ${HOW}` };
  return { flags, data: body.subarray(ENVELOPE_PREFIX_BYTES) };
}
