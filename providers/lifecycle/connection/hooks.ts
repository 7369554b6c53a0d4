import type { OAuthConnectionSpec } from "../../../contract/connection";
import type { KindHooks } from "../runtime/kind-hooks";
import { checkAppSecret } from "../runtime/preflight";
import { applyConnection } from "./apply";
import { consentedAppOf } from "./consented-app";
import { destroyConnection } from "./destroy";

/**
 * An `XeroOAuthConnection`'s hooks. Init checks that the token set can be sealed (it lives only in
 * the document's envelope) and, for a Web app, that its client secret will be there (every refresh
 * and the revocation authenticate with it).
 */
export const connectionHooks: KindHooks<OAuthConnectionSpec> = {
  readyChecks: (spec, ctx) => {
    const reference = spec.app.clientSecret;
    return [
      async () => (await ctx.backend(spec.backend)).checkCanSealSecrets(spec.document),
      ...(reference === undefined
        ? []
        : [() => checkAppSecret(spec.document, { description: consentedAppOf(spec), document: spec.app.document, backend: spec.app.backend, reference }, ctx)]),
    ];
  },
  apply: applyConnection,
  destroy: destroyConnection,
};
