import { UsageError } from "./io.js";

/**
 * A policy revision given on the command line (`--revision 42`, `--to 42`): a positive whole number, else a
 * usage error naming the option and where revisions are listed.
 */
export function revisionOption(option: string, text: string): bigint {
  if (!/^[1-9][0-9]{0,18}$/.test(text)) throw new UsageError(`${option} ${text}: expected a revision listed by "policies history NAME"`);
  return BigInt(text);
}
