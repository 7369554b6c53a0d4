import type { OAuthConnectionSpec } from "../../../contract/connection";
import { resolveAppSecret } from "../app/current-secret";
import type { HookContext, HookXeroClient } from "../runtime/context";
import type { AppDescription } from "../runtime/errors";

/** The app a connection's messages name. */
export function consentedAppOf(spec: OAuthConnectionSpec): AppDescription {
  return { appName: spec.app.appName, clientId: spec.app.clientId, appKind: spec.app.appKind };
}

/**
 * The Xero client of the connection's app: a Web app authenticates with its client secret (the
 * rotation's CURRENT once there is one, else the declared reference); a PKCE app has none.
 */
export async function consentedAppClient(spec: OAuthConnectionSpec, ctx: HookContext): Promise<HookXeroClient> {
  const reference = spec.app.clientSecret;
  if (spec.app.appKind === "pkce" || reference === undefined) return ctx.xeroClient({ clientId: spec.app.clientId });
  const secret = await resolveAppSecret(spec.app.document, spec.app.backend, reference, consentedAppOf(spec), ctx);
  return ctx.xeroClient({ clientId: spec.app.clientId, clientSecret: secret.value });
}
