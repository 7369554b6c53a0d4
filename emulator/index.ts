export { startEmulator, type RunningEmulator } from "./server";
export type { EmulatorOptions } from "./options";
export {
  EmulatorAdminClient,
  EmulatorAdminError,
  type AdminAppKind,
  type AdminAppView,
  type AdminConnection,
  type CreateAppInput,
  type FaultSpec,
} from "./admin-client";
export type { RequestLogEntry } from "./request-log";
