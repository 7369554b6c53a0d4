import { ConnectionSecretKeys, type OAuthConnectionSpec } from "../../../contract/connection";
import { CommonOutputs } from "../../../contract/document-codec";
import type { OutputValue } from "../../state";
import { XeroInvalidGrantError } from "../../xero/errors";
import type { HookContext } from "../runtime/context";
import { describeApp } from "../runtime/errors";
import type { HookRun } from "../runtime/inputs";
import type { HookResult } from "../runtime/result";
import { retireDocument } from "../runtime/retire";
import { consentedAppClient, consentedAppOf } from "./consented-app";
import { tokenSetOutputs } from "./token-set-store";

/** The reason every later command gives once destroy revoked the token set. */
export const REVOKED_ON_DESTROY_REASON = "the token set was revoked when the connection was destroyed (onDestroy: revoke)";

/**
 * `hook destroy` for an `XeroOAuthConnection`, under the retire rules (only for its own run, under
 * the document's lock):
 * - `retain`: retires the document with the token set still sealed in it; Xero's connection stays;
 * - `revoke`: posts the refresh token to Xero's revocation endpoint (which ends the user's grant to
 *   the app and their connections), then drops the envelope, records that a new consent is needed,
 *   and retires the document. A token Xero already refuses is fine: there is nothing left to end.
 */
export async function destroyConnection(spec: OAuthConnectionSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  const app = consentedAppOf(spec);
  return retireDocument(spec, run, ctx, {
    beforeRetire: async (stored) => {
      if (spec.onDestroy === "retain") return;
      const backend = await ctx.backend(spec.backend);
      const refreshToken = (await backend.openSecrets(stored))[ConnectionSecretKeys.refreshToken];
      if (refreshToken === undefined) {
        ctx.say(`cdktf-xero: ${spec.document}: no token set is stored, so there is nothing to revoke.`);
      } else {
        ctx.registerSecret(refreshToken);
        const client = await consentedAppClient(spec, ctx);
        try {
          await client.revoke(refreshToken);
          ctx.say(`cdktf-xero: ${spec.document}: revoked the token set of ${describeApp(app)} at Xero; the user's connections to the app are gone.`);
        } catch (error) {
          if (!(error instanceof XeroInvalidGrantError)) throw error;
          ctx.say(`cdktf-xero: ${spec.document}: Xero already refuses the stored token set; nothing left to revoke.`);
        }
      }
      await backend.update(spec.document, (current) => {
        const values: Record<string, OutputValue> = {};
        for (const [key, value] of Object.entries(current?.values ?? {})) {
          if (key !== CommonOutputs.names.secrets && value !== undefined) values[key] = value;
        }
        return { ...values, ...tokenSetOutputs({ needsConsent: { reason: REVOKED_ON_DESTROY_REASON, since: ctx.clock.now() } }, current?.values) };
      });
    },
    afterRetire: () =>
      ctx.say(
        spec.onDestroy === "retain"
          ? `cdktf-xero: ${spec.document}: the token set stays sealed in the document (onDestroy: retain), and the consent's connections ` +
              `to ${describeApp(app)} stay in Xero; revoke them in Xero (or declare onDestroy "revoke") if they are no longer needed.`
          : `cdktf-xero: ${spec.document}: the token set is dropped from the document; a new connection needs a new consent.`,
      ),
  });
}
