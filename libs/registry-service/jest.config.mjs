import { jestConfig } from "../../jest.preset.mjs";

// The suites start PostgreSQL clusters and PGlite databases on a shared 2-core machine: allow slow steps.
export default jestConfig(import.meta.dirname, { testTimeout: 30_000 });
