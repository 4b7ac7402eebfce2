import http2 from "node:http2";

/** How one call on a {@link SingleConnection} ended. */
export interface SingleCallResult {
  /** The grpc-status; undefined when none came. */
  readonly code: number | undefined;
  readonly message: string;
  /** This client cancelled it (its own deadline), as a gRPC client does. */
  readonly cancelledByClient: boolean;
  /** Why it ended without a status, when not cancelled by this client (RST_STREAM code, session error). */
  readonly failure: string | undefined;
}

/** One HTTP/2 connection to a gRPC server that is never replaced: what happens to it is what the test sees. */
export interface SingleConnection {
  /**
   * A unary call with `body` (a framed message). With `cancelAfterMs`, the call carries `grpc-timeout` of that
   * many ms and this client resets the stream (RST_STREAM CANCEL) when it has had no answer by then;
   * `onSent` runs once the whole request has been handed to the connection.
   */
  call(path: string, body: Uint8Array, options?: { readonly cancelAfterMs?: number; readonly onSent?: () => void }): Promise<SingleCallResult>;
  /** GOAWAY frames received so far. */
  readonly goaways: number;
  /** Session errors so far. */
  readonly errors: readonly string[];
  close(): void;
}

/** Opens one HTTP/2 connection to `host:port`. */
export function openSingleConnection(address: string): SingleConnection {
  const session = http2.connect(`http://${address}`);
  let goaways = 0;
  const errors: string[] = [];
  session.on("goaway", () => {
    goaways += 1;
  });
  session.on("error", (error: Error) => errors.push(error.message));
  return {
    call(path, body, options = {}) {
      const { cancelAfterMs, onSent } = options;
      return new Promise((resolve) => {
        let stream: http2.ClientHttp2Stream;
        try {
          stream = session.request({
            ":method": "POST",
            ":path": path,
            "content-type": "application/grpc",
            te: "trailers",
            "grpc-timeout": cancelAfterMs === undefined ? "20S" : `${cancelAfterMs}m`,
          });
        } catch (error) {
          resolve({ code: undefined, message: "", cancelledByClient: false, failure: `could not start a stream: ${(error as Error).message}` });
          return;
        }
        let code: number | undefined;
        let message = "";
        let cancelledByClient = false;
        let streamError: string | undefined;
        const take = (headers: http2.IncomingHttpHeaders): void => {
          const status = headers["grpc-status"];
          if (typeof status === "string") {
            code = Number(status);
            message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
          }
        };
        const timer =
          cancelAfterMs === undefined
            ? undefined
            : setTimeout(() => {
                if (code !== undefined) return;
                cancelledByClient = true;
                stream.close(http2.constants.NGHTTP2_CANCEL);
              }, cancelAfterMs);
        stream.on("response", take);
        stream.on("trailers", take);
        stream.on("data", () => undefined);
        stream.on("error", (error: Error) => {
          streamError = error.message;
        });
        stream.on("close", () => {
          clearTimeout(timer);
          const rst = stream.rstCode;
          const failure =
            code !== undefined || cancelledByClient
              ? undefined
              : rst !== undefined && rst !== http2.constants.NGHTTP2_NO_ERROR
                ? `RST_STREAM ${rst}`
                : (streamError ?? errors.at(-1) ?? "closed without a status");
          resolve({ code, message, cancelledByClient, failure });
        });
        stream.end(Buffer.from(body.buffer, body.byteOffset, body.byteLength), () => onSent?.());
      });
    },
    get goaways() {
      return goaways;
    },
    errors,
    close() {
      session.close();
    },
  };
}
