import { describe, expect, it } from "@jest/globals";
import { ConfigError, EnvReader } from "@modelrouter/config";
import { readExecutorConfig } from "./index.js";

const read = (env: Record<string, string>) => {
  const reader = new EnvReader(env);
  const config = readExecutorConfig(reader, "/srv", "/srv/zoo");
  reader.done();
  return config;
};

describe("the executor's configuration", () => {
  it("caps model files at 256 MiB unless MODELROUTER_MODEL_MAX_BYTES says otherwise", () => {
    expect(read({}).maxModelBytes).toBe(256 * 1024 * 1024);
    expect(read({ MODELROUTER_MODEL_MAX_BYTES: "1048576" }).maxModelBytes).toBe(1_048_576);
  });

  it("refuses a model size cap that is not a whole number of bytes from 1 to 2 GiB − 1", () => {
    for (const value of ["0", "-1", "1.5", "lots", String(2 ** 31)]) {
      expect(() => read({ MODELROUTER_MODEL_MAX_BYTES: value })).toThrow(ConfigError);
    }
  });

  it("resolves a relative model root from the working directory", () => {
    expect(read({ MODELROUTER_MODEL_ROOT: "models" }).modelRoot).toBe("/srv/models");
    expect(read({}).modelRoot).toBe("/srv/zoo");
  });
});
