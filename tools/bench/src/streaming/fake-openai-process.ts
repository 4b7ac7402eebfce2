import { startFakeOpenAiServer } from "@modelrouter/executor-service/testing";

/**
 * The streaming benchmark's model server, in a process of its own so that its CPU is not the load generator's:
 * `node fake-openai-process.js` starts the fake OpenAI-compatible server (answers with the prompt's words reversed,
 * one delta per word, no delay), prints `{"url": …}` on one line, and runs until SIGTERM.
 */
const server = await startFakeOpenAiServer();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
