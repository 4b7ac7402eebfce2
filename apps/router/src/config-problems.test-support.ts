import { ConfigError } from "@modelrouter/config";
import { loadConfig } from "./config.js";

/** The problems `loadConfig` reports for these variables (none: an empty list). */
export function problems(vars: Record<string, string>): readonly string[] {
  try {
    loadConfig(vars, "/srv");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
