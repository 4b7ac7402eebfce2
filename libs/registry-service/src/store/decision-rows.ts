import { clone, fromJson, toJson, type JsonValue } from "@bufbuild/protobuf";
import { DecisionRecordSchema, FeedbackSchema, type DecisionRecord } from "@modelrouter/contracts";

/**
 * A decision as stored in the `body` column: protobuf JSON without its feedback, which has a column of its
 * own so that recording the request again replaces the body and keeps the feedback.
 */
export function decisionBodyToJson(record: DecisionRecord): JsonValue {
  const body = clone(DecisionRecordSchema, record);
  body.feedback = undefined;
  return toJson(DecisionRecordSchema, body);
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
