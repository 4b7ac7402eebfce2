/**
 * Message size limits, consistent from the edge to the internal hops: a request the front door accepts
 * always fits every internal call made for it (an internal message wraps the client's request with a little
 * more), so that an oversized request fails alone at the edge and never breaks a shared tunnel.
 */
export const MessageLimits = {
  /** The largest message a public server (the router's front door, the registry's API) accepts: 8 MiB. */
  EDGE_BYTES: 8 * 1024 * 1024,
  /** The largest message an internal hop carries: 16 MiB, twice the edge's. */
  INTERNAL_BYTES: 16 * 1024 * 1024,
} as const;

/**
 * Concurrent streams per HTTP/2 connection a server allows: below the half of nghttp2's reset budget that a
 * connection keeps after the reset guard closes it, so that the calls still in flight on it cannot exhaust it.
 */
export const MAX_CONCURRENT_STREAMS = 400;
