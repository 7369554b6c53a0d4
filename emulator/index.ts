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
  type UpdateAppInput,
} from "./admin-client";
export { APP_TIERS, TIER_CONNECTION_LIMITS, type AppTier } from "./tiers";
export type { RequestLogEntry } from "./request-log";
