import type { OAuthConnectionSpec } from "../../../contract/connection";
import type { KindHooks } from "../runtime/kind-hooks";

// PLACEHOLDER on the base branch only: helper h1 replaces this module with the real hooks.
export const connectionHooks: KindHooks<OAuthConnectionSpec> = {
  readyChecks: () => [],
  apply: () => Promise.reject(new Error("oauth_connection hooks are not built yet")),
  destroy: () => Promise.reject(new Error("oauth_connection hooks are not built yet")),
};
