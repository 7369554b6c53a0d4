import type { OAuthConnectionSpec } from "../../contract/connection";
import { XeroClient } from "../xero/client";
import type { XeroTokenSet } from "../xero/parse-token";
import { withAppSecret, type AppSecretDeps } from "./app-secret";
import type { RefreshGrant } from "./locked-refresh";

/**
 * The refresh-token grant of a consented connection, for the app its declaration names: a Web app
 * authenticates with its client secret (the rotation's CURRENT once recorded), a PKCE app with its
 * client id alone. One request per call: the vending protocol decides when (and never retries).
 */
export function connectionRefreshGrant(spec: OAuthConnectionSpec, deps: AppSecretDeps): RefreshGrant {
  const client = (clientSecret?: string): XeroClient =>
    new XeroClient({ clientId: spec.app.clientId, ...(clientSecret === undefined ? {} : { clientSecret }), env: deps.env, clock: deps.clock });
  return {
    refresh(refreshToken: string): Promise<XeroTokenSet> {
      const reference = spec.app.clientSecret;
      if (reference === undefined) return client().refresh(refreshToken);
      const source = {
        app: { appName: spec.app.appName, clientId: spec.app.clientId, appKind: spec.app.appKind },
        appDocument: spec.app.document,
        backend: spec.app.backend,
        clientSecret: reference,
        declaredIn: spec.document,
      };
      return withAppSecret(source, deps, (secret) => client(secret).refresh(refreshToken));
    },
  };
}
