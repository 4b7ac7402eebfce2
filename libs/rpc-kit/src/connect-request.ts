import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createGunzip } from "node:zlib";
import type { TextMapGetter } from "@opentelemetry/api";
import type { Subscribe } from "./server-call.js";

/** Reads the W3C trace context from an HTTP request's headers. */
export const headersGetter: TextMapGetter<IncomingHttpHeaders> = {
  get: (carrier, key) => {
    const value = carrier[key];
    return Array.isArray(value) ? value[0] : value;
  },
  keys: (carrier) => Object.keys(carrier),
};

/** A request's header by lower-case name (the first value of a repeated one). */
export function headerOf(req: IncomingMessage): (key: string) => string | undefined {
  return (key) => {
    const value = req.headers[key];
    return Array.isArray(value) ? value[0] : value;
  };
}

/** Thrown by {@link readBody} for a body over its limit. */
export class BodyTooLarge extends Error {}

/** Reads a request body (gunzipped when its content-encoding says gzip) up to `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  const source: AsyncIterable<Buffer> = encoding === "gzip" ? req.pipe(createGunzip()) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.byteLength;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** The cancellation of a call whose client closes the connection before its response is finished. */
export function clientGone(res: ServerResponse): Subscribe {
  return (abort) => {
    const onClose = (): void => {
      if (!res.writableFinished) abort();
    };
    res.on("close", onClose);
    return () => res.off("close", onClose);
  };
}
