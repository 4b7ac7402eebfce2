import http from "node:http";

/** A Connect/JSON call on its own connection: when its request was fully written, and how it ended. */
export interface ConnectCallInFlight {
  /** Resolves once the whole request is written to the socket. */
  readonly sent: Promise<void>;
  /** The HTTP status and Connect code (`"ok"` for 200), or the socket error that ended it. */
  readonly done: Promise<{ readonly httpStatus: number | undefined; readonly code: string; readonly error: string | undefined }>;
}

/** POSTs a JSON body to a Connect unary method at `url`: on a fresh connection, or on one of `agent`'s. */
export function postConnectJson(url: string, body: string, agent: http.Agent | false = false): ConnectCallInFlight {
  let markSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const done = new Promise<{ httpStatus: number | undefined; code: string; error: string | undefined }>((resolve) => {
    const request = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json", "connect-protocol-version": "1" } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", (error) => resolve({ httpStatus: response.statusCode, code: "reset", error: error.message }));
      response.on("end", () => {
        let code = response.statusCode === 200 ? "ok" : `http ${response.statusCode}`;
        try {
          const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { code?: unknown };
          if (response.statusCode !== 200 && typeof parsed.code === "string") code = parsed.code;
        } catch {
          // Not JSON: keep the HTTP status.
        }
        resolve({ httpStatus: response.statusCode, code, error: undefined });
      });
    });
    request.on("error", (error) => {
      markSent();
      resolve({ httpStatus: undefined, code: "reset", error: error.message });
    });
    request.end(body, () => markSent());
  });
  return { sent, done };
}
