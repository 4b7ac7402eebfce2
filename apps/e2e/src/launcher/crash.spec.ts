import { afterEach, describe, expect, it } from "@jest/globals";
import { childProcesses, movedPorts, serviceExits, startNpmStart, temporaryDataDir, waitForBanner, type NpmStart } from "./npm-start.js";

describe("npm start (distributed) when a service crashes", () => {
  let launcher: NpmStart | undefined;
  afterEach(async () => {
    await launcher?.kill();
  });

  it("stops the other services and exits 1, naming the one that crashed", async () => {
    const data = await temporaryDataDir();
    try {
      launcher = startNpmStart([], { ...(await movedPorts()), MODELROUTER_REGISTRY_DATA_DIR: data.path });
      await waitForBanner(launcher);
      const executor = (await childProcesses(launcher.pid)).find((p) => p.command.includes("apps/executor/dist/main.js"));
      expect(executor).toBeDefined();

      process.kill(executor!.pid, "SIGKILL");
      const exit = await launcher.exited;
      const last = launcher.lines.at(-1);
      expect({ exit, exits: serviceExits(launcher) }).toEqual({
        exit: { code: 1, signal: null },
        exits: { registry: "0", analyzer: "0", executor: "SIGKILL", "decision-engine": "0", router: "0" },
      });
      expect(last).toMatch(/^modelrouter: executor was ended by SIGKILL while running, so the others were stopped/);
    } finally {
      await launcher?.kill();
      await data.remove();
    }
  }, 150_000);
});
