import type { HookSpec } from "../../contract/hook-spec";
import { appRegistrationDriftCheck } from "../lifecycle/app/drift";
import { oauthConnectionDriftCheck } from "../lifecycle/connection/drift";
import { customConnectionLinkDriftCheck } from "../lifecycle/link/drift";
import { secretRotationDriftCheck } from "../lifecycle/rotation/drift";
import type { KindDriftCheck } from "./kind-check";

/**
 * Each kind's drift check, one per kind, living in that kind's slice. Exhaustive: a kind added to
 * `HookSpec` without a check here does not compile.
 */
export const KIND_DRIFT_CHECKS: { readonly [K in HookSpec["kind"]]: KindDriftCheck<Extract<HookSpec, { kind: K }>> } = {
  app_registration: appRegistrationDriftCheck,
  custom_connection_link: customConnectionLinkDriftCheck,
  secret_rotation: secretRotationDriftCheck,
  oauth_connection: oauthConnectionDriftCheck,
};

/** The check for a spec's kind, typed for the spec it is given. */
export function driftCheckFor(kind: HookSpec["kind"]): KindDriftCheck {
  return KIND_DRIFT_CHECKS[kind] as unknown as KindDriftCheck;
}
