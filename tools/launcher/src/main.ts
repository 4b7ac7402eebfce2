// `npm start` (tools/scripts/start.mjs runs this once everything is built): see runStart.
import { runStart } from "./start-command.js";

const write = (stream: NodeJS.WriteStream) => (line: string) => void stream.write(`${line}\n`);
try {
  process.exit(await runStart(process.argv.slice(2), process.env, { out: write(process.stdout), err: write(process.stderr) }, process));
} catch (error) {
  process.stderr.write(`modelrouter: the launcher failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
