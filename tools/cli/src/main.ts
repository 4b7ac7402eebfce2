import { parseArgs } from "node:util";
import { auditCommand } from "./audit-command.js";
import type { Command } from "./commands.js";
import { Connection } from "./connection.js";
import { decisionsCommand } from "./decisions-command.js";
import { explainCommand } from "./explain-command.js";
import { experimentsCommand } from "./experiments-command.js";
import { feedbackCommand, inferCommand } from "./inference-commands.js";
import { UsageError, processIo, type Io } from "./io.js";
import { keysCommand } from "./keys-command.js";
import { modelsCommand } from "./models-command.js";
import { printError } from "./output.js";
import { policiesCommand } from "./policies-command.js";
import { seedCommand } from "./seed-command.js";
import { cliTls, parseAddress, tlsHint } from "./tls-options.js";
import { watchCommand } from "./watch-command.js";

const commands: Readonly<Record<string, Command>> = {
  models: modelsCommand,
  policies: policiesCommand,
  infer: inferCommand,
  explain: explainCommand,
  feedback: feedbackCommand,
  decisions: decisionsCommand,
  experiments: experimentsCommand,
  watch: watchCommand,
  seed: seedCommand,
  keys: keysCommand,
  audit: auditCommand,
};

const globalUsage = `Global options (before the command):
  --router HOST:PORT     the router (default $MODELROUTER_ROUTER_ADDRESS or 127.0.0.1:50051)
  --registry HOST:PORT   the registry (default $MODELROUTER_REGISTRY_ADDRESS or 127.0.0.1:50054)
  --timeout MS           deadline of each call in milliseconds (default 10000)
  --api-key KEY          the credential sent with every call: an API key or the admin token (default
                         $MODELROUTER_API_KEY; prefer the variable: an argument shows in the process list)
  --tls-ca FILE          call over TLS, verifying the servers with this PEM CA bundle (default $MODELROUTER_TLS_CA);
                         an https:// (or grpcs://) address also turns TLS on, verified with this machine's CAs
  --tls-cert FILE        with --tls-key: the client certificate (PEM) for servers that require one (mTLS)
  --tls-key FILE         (default $MODELROUTER_TLS_CLIENT_CERT and $MODELROUTER_TLS_CLIENT_KEY)`;

/** The usage text of every command. */
export function usage(): string {
  return `usage: modelrouter [global options] COMMAND ...\n\n${Object.values(commands)
    .map((c) => c.usage)
    .join("\n")}\n\n${globalUsage}`;
}

/**
 * Runs the CLI with `argv` (without the node and script arguments) and returns the exit code: 0 on success,
 * 1 when a call failed (the error and every field violation are printed), 2 for a usage mistake.
 */
export async function main(argv: readonly string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let connection: Connection | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: false,
      options: {
        router: { type: "string" },
        registry: { type: "string" },
        timeout: { type: "string" },
        "api-key": { type: "string" },
        "tls-ca": { type: "string" },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    const commandAt = argv.findIndex((arg) => arg === positionals[0]);
    const name = positionals[0];
    if (values.help === true || name === undefined || name === "help") {
      io.out(usage());
      return name === undefined && values.help !== true ? 2 : 0;
    }
    const command = commands[name];
    if (command === undefined) throw new UsageError(`unknown command "${name}"`);
    if (values["api-key"] === true) throw new UsageError("--api-key needs the key after it (or set MODELROUTER_API_KEY)");
    const timeoutMs = Number(values.timeout ?? 10_000);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`--timeout ${String(values.timeout)}: expected milliseconds`);
    const router = parseAddress(typeof values.router === "string" ? values.router : (env["MODELROUTER_ROUTER_ADDRESS"] ?? "127.0.0.1:50051"));
    const registry = parseAddress(typeof values.registry === "string" ? values.registry : (env["MODELROUTER_REGISTRY_ADDRESS"] ?? "127.0.0.1:50054"));
    for (const flag of ["tls-ca", "tls-cert", "tls-key"] as const) {
      if (values[flag] === true) throw new UsageError(`--${flag} needs a file after it`);
    }
    const given = (flag: "tls-ca" | "tls-cert" | "tls-key", variable: string): string | undefined => {
      const value = values[flag];
      return typeof value === "string" ? value : env[variable] === "" ? undefined : env[variable];
    };
    const settings = { ca: given("tls-ca", "MODELROUTER_TLS_CA"), cert: given("tls-cert", "MODELROUTER_TLS_CLIENT_CERT"), key: given("tls-key", "MODELROUTER_TLS_CLIENT_KEY") };
    // An address's scheme decides for it; without one, a CA or client certificate turns TLS on.
    const flagsAskTls = settings.ca !== undefined || settings.cert !== undefined;
    const tls = cliTls(settings, router.tls === true || registry.tls === true);
    const tlsOf = (wants: boolean | undefined) => ((wants ?? flagsAskTls) ? tls : undefined);
    connection = new Connection({
      router: router.address,
      registry: registry.address,
      tls: { router: tlsOf(router.tls), registry: tlsOf(registry.tls) },
      timeoutMs,
      caller: env["MODELROUTER_CALLER"] ?? env["USER"] ?? "",
      apiKey: typeof values["api-key"] === "string" ? values["api-key"] : env["MODELROUTER_API_KEY"],
    });
    return await command.run(argv.slice(commandAt + 1), connection, io);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))) {
      io.err(`modelrouter: ${error.message}\n`);
      io.err(usage());
      return 2;
    }
    printError(io, error);
    const hint = tlsHint(error, connection?.options.tls?.router ?? connection?.options.tls?.registry);
    if (hint !== undefined) io.err(`  hint: ${hint}`);
    return 1;
  } finally {
    connection?.close();
  }
}
