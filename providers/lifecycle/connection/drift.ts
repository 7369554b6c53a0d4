import type { OAuthConnectionSpec } from "../../../contract/connection";
import type { KindDriftCheck } from "../../drift/kind-check";

// PLACEHOLDER on the base branch only: helper h3 replaces this module with the real drift check.
export const oauthConnectionDriftCheck: KindDriftCheck<OAuthConnectionSpec> = {
  kind: "oauth_connection",
  recognises: () => false,
  specFromDocument: () => ({ problem: "not built yet" }),
  check: () => Promise.resolve({ findings: [], notes: ["not built yet"] }),
};
