import { jestConfig } from "../../jest.preset.mjs";

// Some suites start small Node processes for real.
export default jestConfig(import.meta.dirname, { testTimeout: 60_000 });
