#!/usr/bin/env node
// The `modelrouter` command. Build first (`npm run build`); the code is in ../dist.
import { main } from "../dist/main.js";

process.exitCode = await main(process.argv.slice(2));
