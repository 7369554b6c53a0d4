import { registrationHooks } from "../app/registration";
import { connectionHooks } from "../connection/hooks";
import { linkHooks } from "../link/link";
import { rotationHooks } from "../rotation/protocol";
import type { HooksByKind } from "./kind-hooks";

/** The hooks of every kind of construct; a new kind adds its line here. */
export const HOOKS_BY_KIND: HooksByKind = {
  app_registration: registrationHooks,
  custom_connection_link: linkHooks,
  secret_rotation: rotationHooks,
  oauth_connection: connectionHooks,
};
