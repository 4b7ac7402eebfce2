import { describe, expect, it } from "@jest/globals";
import { capture } from "./io.test-support.js";
import { main } from "./main.js";

describe("models sync-mlflow", () => {
  it("asks for the tracking server when none is given, exit 2", async () => {
    const io = capture();
    expect(await main(["models", "sync-mlflow"], io, {})).toBe(2);
    expect(io.errText()).toContain("models sync-mlflow: give --tracking-uri http(s)://host:port");
  });

  it("refuses a tracking URI that is not http(s), naming it", async () => {
    const io = capture();
    expect(await main(["models", "sync-mlflow", "--tracking-uri", "mlflow:5000"], io, {})).toBe(2);
    expect(io.errText()).toContain('(got "mlflow:5000")');
  });

  it("is listed in the usage", async () => {
    const io = capture();
    expect(await main(["--help"], io, {})).toBe(0);
    expect(io.outText()).toContain("modelrouter models sync-mlflow --tracking-uri URL");
  });
});
