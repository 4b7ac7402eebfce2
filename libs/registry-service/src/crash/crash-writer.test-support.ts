/**
 * A registry writer for crash tests, run as a child process: opens the registry on the database named by
 * its arguments (`pglite <dataDir>` or `postgres <url>`), then registers model versions named
 * `<prefix>-<n>` one at a time, printing `ack <name> <revision>` after each one is acknowledged, until it
 * is killed.
 */
import { RegistryService } from "@modelrouter/contracts";
import { createDirectClient } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { validModel } from "../fixtures.test-support.js";
import { createRegistryService } from "../registry-service.js";
import { openRegistryDatabase } from "../storage/open-registry-database.js";
import { openRegistryStore } from "../store/registry-store.js";

const [driver, target, prefix] = process.argv.slice(2);
if (target === undefined || prefix === undefined || (driver !== "pglite" && driver !== "postgres")) {
  throw new Error("usage: crash-writer (pglite <dataDir> | postgres <url>) <prefix>");
}
const logger = createLogger({ service: "crash-writer", level: "warn", write: (line) => process.stderr.write(`${line}\n`) });
const db = await openRegistryDatabase(driver === "pglite" ? { kind: "pglite", dataDir: target } : { kind: "postgres", url: target }, logger);
const store = await openRegistryStore({ db, logger });
const client = createDirectClient(RegistryService, createRegistryService({ store, logger }), { defaultTimeoutMs: 60_000 });
process.stdout.write("ready\n");
for (let n = 0; ; n++) {
  const name = `${prefix}-${n}`;
  const { model } = await client.registerModel({ model: validModel({ name }) });
  process.stdout.write(`ack ${name} ${model?.revision}\n`);
}
