import { afterEach, describe, expect, it } from "@jest/globals";
import { createProcessGroup } from "./process-group.js";

const group = createProcessGroup();

afterEach(async () => {
  await group.stopAll("SIGKILL");
});

function service(name: string, onSigterm: string) {
  return group.start({
    name,
    command: process.execPath,
    args: ["-e", `process.on("SIGTERM", () => { ${onSigterm} }); console.log("ready"); setInterval(() => {}, 1000);`],
    readyWhen: (line) => line === "ready",
  });
}

describe("createProcessGroup", () => {
  it("stops every process it started and reports their exit codes by name", async () => {
    await service("router", "process.exit(0);");
    await service("analyzer", "process.exit(4);");

    await expect(group.stopAll()).resolves.toEqual({ router: 0, analyzer: 4 });
  });

  it("forgets the processes it stopped", async () => {
    await service("registry", "process.exit(0);");
    await group.stopAll();

    await expect(group.stopAll()).resolves.toEqual({});
  });

  it("still stops the others, then rejects with the output of a process that had to be killed", async () => {
    const stubborn = await service("executor", `console.log("executor ignores SIGTERM");`);
    const polite = await service("decision-engine", "process.exit(0);");

    await expect(group.stopAll("SIGTERM", 300)).rejects.toThrow(/"executor".*\| executor ignores SIGTERM/s);
    await expect(Promise.all([stubborn.exited, polite.exited])).resolves.toEqual([
      { code: null, signal: "SIGKILL" },
      { code: 0, signal: null },
    ]);
  });
});
