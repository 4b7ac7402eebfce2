import { describe, expect, it } from "@jest/globals";
import { formatHostPort, hostPortProblem, parseHostPort } from "./address.js";

describe("host:port", () => {
  it.each([
    ["127.0.0.1:50051", { host: "127.0.0.1", port: 50051 }],
    ["localhost:0", { host: "localhost", port: 0 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
    ["registry.modelrouter.svc.cluster.local:50054", { host: "registry.modelrouter.svc.cluster.local", port: 50054 }],
  ])("parses %j", (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
    expect(formatHostPort(expected.host, expected.port)).toBe(text);
  });

  it.each(["127.0.0.1", ":50051", "::1:50051", "host:65536", "host:port", "http://host:1", "a b:1", ""])("refuses %j", (text) => {
    expect(parseHostPort(text)).toBeUndefined();
    expect(hostPortProblem(text)).toMatch(/host:port/);
  });
});
