import { UsageError } from "./io.js";

/** A protobuf enum as protobuf-es generates it: names to numbers and numbers back to names. */
type ProtoEnum = Readonly<Record<string, string | number>>;

/** The short name of an enum value ("STAGING" for `MODEL_STATUS_STAGING`), or its number when unknown. */
export function enumName(values: ProtoEnum, value: number): string {
  const name = values[value];
  return typeof name === "string" ? name : String(value);
}

/**
 * The enum value an option names, by its short name in any case ("staging", "STAGING") or its full name
 * ("MODEL_STATUS_STAGING"); `UNSPECIFIED` is not a choice.
 *
 * @throws UsageError naming the option and the choices.
 */
export function parseEnumOption(values: ProtoEnum, prefix: string, option: string, text: string): number {
  const short = text.toUpperCase().startsWith(prefix) ? text.toUpperCase().slice(prefix.length) : text.toUpperCase();
  const value = values[short];
  if (typeof value === "number" && short !== "UNSPECIFIED") return value;
  const choices = Object.keys(values).filter((key) => Number.isNaN(Number(key)) && key !== "UNSPECIFIED");
  throw new UsageError(`${option} ${text}: expected one of ${choices.map((c) => c.toLowerCase()).join(", ")}`);
}
