import { concatBytes } from "./protobuf-wire.js";

/** How to (mis)frame a gRPC message. */
export interface FrameOptions {
  /** The compressed-flag byte; 0 (not compressed) unless set. */
  readonly flag?: number;
  /** The length written in the prefix; the real length unless set (a lie). */
  readonly declaredLength?: number;
}

/** A gRPC length-prefixed message: 1 flag byte, 4 bytes big-endian length, the message. */
export function grpcFrame(message: Uint8Array, options: FrameOptions = {}): Uint8Array {
  const prefix = new Uint8Array(5);
  prefix[0] = options.flag ?? 0;
  new DataView(prefix.buffer).setUint32(1, options.declaredLength ?? message.length, false);
  return concatBytes(prefix, message);
}

/** Splits a gRPC response body into its messages; `leftover` counts bytes that do not make a whole frame. */
export function readGrpcFrames(body: Uint8Array): { messages: Uint8Array[]; leftover: number } {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (body.length - at >= 5) {
    const length = new DataView(body.buffer, body.byteOffset + at + 1, 4).getUint32(0, false);
    if (body.length - at - 5 < length) break;
    messages.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  return { messages, leftover: body.length - at };
}
