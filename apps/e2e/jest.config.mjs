import { jestConfig } from "../../jest.preset.mjs";

// Each suite starts real processes; give them time, and run the suites one after another (2 cores).
export default jestConfig(import.meta.dirname, { testTimeout: 120_000, maxWorkers: 1 });
