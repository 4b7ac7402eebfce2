/**
 * The router: the front door of modelrouter. Validates a request, asks the analyzer and the decision engine,
 * runs the chosen model through the executor with fallbacks within the deadline, answers with the outputs and
 * a record of why, and logs the decision in the registry for feedback.
 *
 * @packageDocumentation
 */
export {
  createRouterService,
  type DecisionLogSettings,
  type Router,
  type RouterDependencies,
  type RouterLimits,
} from "./router-service.js";
export { executeWithFallbacks, type Execution, type ExecutionPlan } from "./execute-with-fallbacks.js";
export { createDecisionRecorder, type DecisionRecorder, type RecorderStats } from "./decision-recorder.js";
