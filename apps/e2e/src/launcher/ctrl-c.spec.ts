import { readdir } from "node:fs/promises";
import { afterEach, describe, expect, it } from "@jest/globals";
import { LOCK_FILE_NAME } from "@modelrouter/registry-service/testing";
import { movedPorts, serviceExits, startNpmStart, temporaryDataDir, waitForBanner, type NpmStart } from "./npm-start.js";

const SERVICES = {
  distributed: ["registry", "analyzer", "executor", "decision-engine", "router"],
  "co-located": ["router"],
} as const;

describe.each([
  ["distributed", []],
  ["co-located", ["--colocated"]],
] as const)("npm start (%s), Ctrl-C pressed twice", (topology, args) => {
  let launcher: NpmStart | undefined;
  afterEach(async () => {
    await launcher?.kill();
  });

  it("stops every service with exit code 0, exits 0, leaves no registry lock, and the next start on the same data works", async () => {
    const data = await temporaryDataDir();
    try {
      const env = { ...(await movedPorts()), MODELROUTER_REGISTRY_DATA_DIR: data.path };
      launcher = startNpmStart(args, env);
      await waitForBanner(launcher);

      // A terminal's Ctrl-C goes to every process of the foreground group; a second press follows the first.
      launcher.signalGroup("SIGINT");
      launcher.signalGroup("SIGINT");
      const exit = await launcher.exited;
      const exits = serviceExits(launcher);
      const leftInDataDir = await readdir(data.path);
      expect({ exit, exits, lockLeft: leftInDataDir.includes(LOCK_FILE_NAME) }).toEqual({
        exit: { code: 0, signal: null },
        exits: Object.fromEntries(SERVICES[topology].map((name) => [name, "0"])),
        lockLeft: false,
      });

      launcher = startNpmStart(args, env);
      const banner = await waitForBanner(launcher);
      expect(banner[0]).toMatch(/^modelrouter is up/);
      launcher.signalGroup("SIGINT");
      expect(await launcher.exited).toEqual({ code: 0, signal: null });
    } finally {
      await launcher?.kill();
      await data.remove();
    }
  }, 150_000);
});
