import { describe, expect, it } from "@jest/globals";
import { loadConfig } from "./config.js";

describe("the executor's OIP REST setting", () => {
  it("serves no OIP REST unless MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN names an address", () => {
    expect(loadConfig({}, "/srv").oipHttpListen).toBeUndefined();
    expect(loadConfig({ MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN: "127.0.0.1:8000" }, "/srv").oipHttpListen).toBe("127.0.0.1:8000");
  });

  it("rejects an OIP REST address that is not host:port, naming the variable", () => {
    expect(() => loadConfig({ MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN: "8000" }, "/")).toThrow(/MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN="8000": expected host:port/);
  });

  it("refuses the OIP REST endpoint with authentication on (it takes no credential), naming the variable and the fix", () => {
    const auth = { MODELROUTER_AUTH: "on", MODELROUTER_INTERNAL_TOKEN: "env:TOKEN" };
    expect(() => loadConfig({ ...auth, MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN: "127.0.0.1:8000" }, "/")).toThrow(
      /MODELROUTER_EXECUTOR_OIP_HTTP_LISTEN: the OIP REST endpoint takes no credential[^]*unset it/,
    );
    expect(loadConfig(auth, "/").oipHttpListen).toBeUndefined();
  });
});
