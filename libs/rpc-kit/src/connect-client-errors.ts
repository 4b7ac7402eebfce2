import { maxHeaderSize, type Server } from "node:http";
import type { Socket } from "node:net";

/** How long a connection refused for its headers may take to finish sending before it is closed. */
const LINGER_MS = 5000;

/**
 * Answers requests that Node's HTTP parser refuses before the edge sees them. Headers larger than Node's limit
 * (16 KiB) get HTTP 431 with a Connect error body (`resource_exhausted`, naming the limit), and the connection is
 * half-closed so that the client reads the answer — Node's own handling destroys the socket at once, which a
 * client still sending sees as a reset. Every other parse error is handled as Node does (400, 408…, then closed).
 */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code !== "HPE_HEADER_OVERFLOW" || !socket.writable || socket.bytesWritten > 0) {
      if (socket.writable && socket.bytesWritten === 0) {
        socket.write(error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n" : "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      }
      socket.destroy(error);
      return;
    }
    const body = JSON.stringify({
      code: "resource_exhausted",
      message: `the request's headers are larger than the limit of ${maxHeaderSize} bytes: send fewer or shorter headers, or put large values in the request body`,
    });
    socket.setTimeout(LINGER_MS, () => socket.destroy());
    socket.on("error", () => socket.destroy());
    socket.end(
      `HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Read (and drop) what the client still sends, so that closing does not reset the connection under its answer.
    socket.resume();
  });
}
