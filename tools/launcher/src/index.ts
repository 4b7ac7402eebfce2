/**
 * The one launcher of modelrouter: `launch()` starts the services as processes in either topology, tells each where
 * to listen and where the others are (from the same `MODELROUTER_<SERVICE>_LISTEN` variables the services read),
 * seeds the demo, supervises the processes and stops them. `npm start` (`runStart`, run by src/main.ts) and the
 * end-to-end tests (`startModelrouter` in @modelrouter/testing) both use it.
 *
 * @packageDocumentation
 */
export {
  launch,
  repositoryRoot,
  type LaunchOptions,
  type LaunchHandle,
  type LaunchedProcess,
  type StopOptions,
} from "./launch.js";
export { LaunchError } from "./launch-error.js";
export { formatExits, type LaunchOutcome } from "./launch-outcome.js";
export { readLaunchSettings, type LaunchSettings } from "./launch-settings.js";
export type { ListenOverrides } from "./listen-addresses.js";
export type { SystemAddresses } from "./process-plan.js";
export { startBanner, type BannerOptions } from "./banner.js";
export type { Spawner, SpawnRequest, SpawnedProcess, ProcessExit } from "./spawner.js";
export { listenVariable, type ServiceName, type Endpoint, type Topology } from "./services.js";
export { runStart, type Terminal, type SignalSource } from "./start-command.js";
