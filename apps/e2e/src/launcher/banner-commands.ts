import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "@modelrouter/testing";
import { cleanEnv } from "./npm-start.js";

const run = promisify(execFile);

/** The commands a banner prints, each on one line (a line ending in `\` is joined with the next). */
export function bannerCommands(banner: readonly string[]): string[] {
  return banner
    .join("\n")
    .replaceAll("\\\n", " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^(node|curl|grpcurl) /.test(line));
}

/** How a shell command ended. */
export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command line with bash from the repository root, as a user pastes it, in an environment without any
 * MODELROUTER_* or OTEL_* variable (nothing but the command itself says where modelrouter is).
 */
export async function runInShell(command: string, timeoutMs = 60_000): Promise<ShellResult> {
  try {
    const { stdout, stderr } = await run("/bin/bash", ["-c", command], { cwd: repoRoot, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? String(error) };
  }
}

/** The arguments bash passes to `grpcurl` for this command line (its `$(…)` and quotes resolved), without running it. */
export async function grpcurlArguments(command: string): Promise<string[]> {
  const { code, stdout, stderr } = await runInShell(`grpcurl() { printf '%s\\0' "$@"; }; ${command}`);
  if (code !== 0) throw new Error(`bash could not expand ${command}: ${stderr}`);
  return stdout.split("\0").slice(0, -1);
}
