import { describe, expect, it } from "@jest/globals";
import { parseBuilderArgs } from "./parse-args.js";

describe("parseBuilderArgs", () => {
  it("builds every part into the default folder when given nothing", () => {
    expect(parseBuilderArgs([])).toEqual({ parts: ["digits", "text", "tabular", "sensor", "audio"] });
  });

  it("takes an output folder and --only parts in either spelling, in build order", () => {
    expect(parseBuilderArgs(["/tmp/zoo", "--only", "audio,text"])).toEqual({ outDir: "/tmp/zoo", parts: ["text", "audio"] });
    expect(parseBuilderArgs(["--only=sensor"])).toEqual({ parts: ["sensor"] });
  });

  it("refuses an unknown part naming it and the choices, and a missing list", () => {
    expect(() => parseBuilderArgs(["--only", "text,video"])).toThrow('--only: unknown part "video"; choose from digits, text, tabular, sensor, audio');
    expect(() => parseBuilderArgs(["--only"])).toThrow("--only needs a comma-separated list of parts");
    expect(() => parseBuilderArgs(["--fast"])).toThrow("unknown option --fast");
  });
});
