import type { Http2Server, ServerHttp2Session, ServerHttp2Stream } from "node:http2";

/**
 * nghttp2's rapid-reset guard (CVE-2023-44487), which Node 20 does not let us configure: a token bucket of
 * 1,000 RST_STREAM frames refilled at 33 per second; when a client empties it, the server sends
 * GOAWAY(INTERNAL_ERROR) and drops the connection with every call on it.
 */
const NGHTTP2_RESET_BURST = 1000;
const NGHTTP2_RESET_RATE_PER_S = 33;

/** Options of {@link guardStreamResets}. */
export interface ResetGuardOptions {
  /** Close a connection gracefully once this many of nghttp2's tokens are spent. Default: half the burst. */
  readonly threshold?: number;
  /** Called when a connection is closed by the guard. */
  readonly onClose?: () => void;
}

/**
 * Keeps a client that resets many streams (a caller with many short deadlines: each expiry is an RST_STREAM)
 * from losing every call on its connection to nghttp2's rapid-reset guard. The server counts resets per
 * connection with nghttp2's own bucket and, at half of it, closes the connection gracefully (GOAWAY
 * NO_ERROR): the calls in flight finish, and the client opens a new connection for new calls. Abuse is still
 * bounded: a connection that keeps resetting is closed again and again.
 */
export function guardStreamResets(server: Http2Server, options: ResetGuardOptions = {}): void {
  const threshold = options.threshold ?? NGHTTP2_RESET_BURST / 2;
  server.on("session", (session: ServerHttp2Session) => {
    let tokens = NGHTTP2_RESET_BURST;
    let last = Date.now();
    let closing = false;
    session.on("stream", (stream: ServerHttp2Stream) => {
      stream.once("close", () => {
        if (stream.rstCode === 0 || closing) return;
        const now = Date.now();
        tokens = Math.min(NGHTTP2_RESET_BURST, tokens + ((now - last) / 1000) * NGHTTP2_RESET_RATE_PER_S) - 1;
        last = now;
        if (tokens <= NGHTTP2_RESET_BURST - threshold && !session.closed && !session.destroyed) {
          closing = true;
          options.onClose?.();
          session.close();
        }
      });
    });
  });
}
