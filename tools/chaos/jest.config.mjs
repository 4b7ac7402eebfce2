import { jestConfig } from "../../jest.preset.mjs";

// Each scenario starts the real services as processes: give them time, and run the suites one after another.
export default jestConfig(import.meta.dirname, { testTimeout: 120_000, maxWorkers: 1 });
