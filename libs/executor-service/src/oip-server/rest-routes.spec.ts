import { describe, expect, it } from "@jest/globals";
import { routeOf } from "./rest-routes.js";

describe("the OIP REST routes", () => {
  it("matches the health, server and model paths with GET, a version after the model name optional", () => {
    expect(routeOf("GET", "/v2/health/live")).toEqual({ kind: "live" });
    expect(routeOf("GET", "/v2/health/ready")).toEqual({ kind: "ready" });
    expect(routeOf("GET", "/v2")).toEqual({ kind: "server" });
    expect(routeOf("GET", "/v2/models/digits")).toEqual({ kind: "model", model: "digits", version: "" });
    expect(routeOf("GET", "/v2/models/digits/versions/3/ready")).toEqual({ kind: "modelReady", model: "digits", version: "3" });
    expect(routeOf("POST", "/v2/models/digits/versions/3/infer?trace=1")).toEqual({ kind: "infer", model: "digits", version: "3" });
  });

  it("percent-decodes the model and version, and refuses a path that is not valid percent-encoding", () => {
    expect(routeOf("GET", "/v2/models/my%20model/versions/v%2B1")).toEqual({ kind: "model", model: "my model", version: "v+1" });
    expect(routeOf("GET", "/v2/models/bad%E0")).toMatchObject({ kind: "none", status: 400 });
  });

  it("answers 405 with the allowed method for a known path, and 404 for any other path", () => {
    expect(routeOf("POST", "/v2/health/live")).toEqual({ kind: "none", status: 405, message: "POST is not allowed on /v2/health/live; use GET", allow: "GET" });
    expect(routeOf("PUT", "/v2/models/digits/infer")).toMatchObject({ status: 405, allow: "POST" });
    expect(routeOf("GET", "/v2/models/digits/versions")).toMatchObject({ kind: "none", status: 404 });
    expect(routeOf("GET", "/v2/models/a/b/infer")).toMatchObject({ kind: "none", status: 404 });
  });
});
