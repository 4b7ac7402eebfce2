import { fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { DecisionRecordSchema, FeedbackSchema, type DecisionRecord } from "@modelrouter/contracts";

/**
 * A decision as stored in the `body` column: protobuf JSON without its feedback, which has a column of its
 * own so that recording the request again replaces the body and keeps the feedback.
 */
export function decisionBodyToJson(record: DecisionRecord): JsonValue {
  const json = toJson(DecisionRecordSchema, record) as { [key: string]: JsonValue };
  delete json["feedback"];
  return json;
}

/** U+0000, which PostgreSQL's `jsonb` (and `text`) cannot hold, and the character that stands for it when stored. */
const NUL = /\u0000/g;
const REPLACEMENT = "\uFFFD";

function withoutNul(value: unknown): unknown {
  if (typeof value === "string") return value.includes("\u0000") ? value.replace(NUL, REPLACEMENT) : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.replace(NUL, REPLACEMENT), withoutNul(v)]));
  }
  return value;
}

/**
 * JSON text for a `jsonb` column: PostgreSQL refuses a string holding U+0000 anywhere in a `jsonb` value, so every
 * U+0000 in a string or key (a caller's metadata value, a text payload's sample) is stored as U+FFFD, the
 * replacement character, instead of the whole row being refused.
 */
export function jsonbText(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.includes("\\u0000") ? JSON.stringify(withoutNul(value)) : text;
}

/**
 * Reads a stored decision: its `body` column, with the `feedback` column (protobuf JSON `Feedback`, or null)
 * attached.
 */
export function decisionFromRow(body: unknown, feedback: unknown): DecisionRecord {
  const record = fromJson(DecisionRecordSchema, body as JsonValue, { ignoreUnknownFields: true });
  record.feedback =
    feedback === null || feedback === undefined
      ? undefined
      : fromJson(FeedbackSchema, feedback as JsonValue, { ignoreUnknownFields: true });
  return record;
}
