import { create } from "@bufbuild/protobuf";
import { AnalyzeResponseSchema, type AnalyzerService } from "@modelrouter/contracts";
import type { ServiceImpl } from "@modelrouter/rpc-kit";
import { type AnalyzerDeps, analyzePayload } from "./analyze-payload.js";

/**
 * The `modelrouter.analyzer.v1.AnalyzerService` handlers: `Analyze` profiles the request's payload with
 * {@link analyzePayload}. Stateless apart from the language detector, which is shared by every call; an
 * invalid payload fails with INVALID_ARGUMENT, reason INVALID_FIELD (or PAYLOAD_UNSUPPORTED for a well-formed
 * payload no model decodes, such as a GIF image) and one violation per bad field.
 */
export function createAnalyzerService(deps: AnalyzerDeps): ServiceImpl<typeof AnalyzerService> {
  return {
    async analyze(request) {
      return create(AnalyzeResponseSchema, { profile: analyzePayload(request.payload, request.metadata, deps) });
    },
  };
}
