import { constants, type Http2Server, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";

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
 * connection with nghttp2's own bucket and, at half of it, closes the connection gracefully (see
 * {@link closeGracefully}): the calls in flight finish, and the client opens a new connection for new calls.
 * Abuse is still bounded: a connection that keeps resetting is closed again and again.
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
          closeGracefully(session);
        }
      });
    });
  });
}

/** The highest stream id HTTP/2 allows: a GOAWAY naming it announces a close without refusing any stream. */
const MAX_STREAM_ID = 2 ** 31 - 1;

/** How long to wait for the client's PING answer before closing anyway. */
const ANNOUNCE_TIMEOUT_MS = 2_000;

/**
 * Closes an HTTP/2 connection without refusing a call (RFC 9113 §6.8): first a GOAWAY naming the highest stream
 * id, which tells the client to start new calls on a new connection; then, once a PING has made the round trip
 * (so every stream the client sent before it saw the GOAWAY has arrived), the real GOAWAY. Closing at once would
 * refuse (REFUSED_STREAM) the streams already on their way, which a client sees as UNAVAILABLE.
 */
export function closeGracefully(session: ServerHttp2Session): void {
  if (session.closed || session.destroyed) return;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(timer);
    if (!session.closed && !session.destroyed) session.close();
  };
  const timer = setTimeout(close, ANNOUNCE_TIMEOUT_MS);
  timer.unref();
  try {
    session.goaway(constants.NGHTTP2_NO_ERROR, MAX_STREAM_ID);
    if (!session.ping(close)) close();
  } catch {
    close();
  }
}
