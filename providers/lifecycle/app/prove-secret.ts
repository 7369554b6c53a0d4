import type { RotatedAppKind } from "../../../contract/rotation";
import type { SecretReference } from "../../../contract/spec-common";
import { customConnectionToken, probeAuthorizationCodeClient, type AppCredentials } from "./credentials";
import type { OperationContext } from "../runtime/context";
import { HookInvalidClientError } from "./errors";

/** An app whose secret is being proved: names, ids, kind, and where the secret came from (for messages). */
export interface RotatedApp {
  readonly appName: string;
  readonly clientId: string;
  readonly appKind: RotatedAppKind;
}

export type ProofResult = { readonly valid: true } | { readonly valid: false; readonly error: HookInvalidClientError };

/**
 * Proves one client secret live against Xero, changing nothing there: client_credentials for a
 * Custom Connection, the deliberately invalid authorization code for a Web app (`invalid_grant`
 * means the client authenticated). `invalid_client` comes back as `{ valid: false }`; anything
 * else (the app is another kind, Xero unavailable or rate limited) is thrown as its typed error.
 */
export async function proveClientSecret(app: RotatedApp, secret: string, source: SecretReference, ctx: OperationContext): Promise<ProofResult> {
  ctx.registerSecret(secret);
  const credentials: AppCredentials = { ...app, secretReference: source };
  try {
    if (app.appKind === "custom_connection") await customConnectionToken(credentials, secret, ctx);
    else await probeAuthorizationCodeClient(credentials, secret, ctx);
    return { valid: true };
  } catch (error) {
    if (error instanceof HookInvalidClientError) return { valid: false, error };
    throw error;
  }
}
