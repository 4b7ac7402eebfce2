export {
  DEFAULT_EXPERIMENT_INTERVAL_MS,
  EXPERIMENT_INTERVAL_SETTING,
  createExperimentMonitor,
  type ExperimentMonitor,
  type ExperimentMonitorOptions,
  type ExperimentStep,
} from "./experiment-monitor.js";
export { listExperimentStatuses, type PValueMemory } from "./experiment-status.js";
export { checkExperimentOutcomes } from "./outcome-check.js";
export { armFigures, armLabel, type ArmModel } from "./experiment-arms.js";
export { concludeExperiment, type ExperimentConclusion } from "./experiment-conclusion.js";
