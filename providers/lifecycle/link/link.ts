import { LinkOutputs, type CustomConnectionLinkSpec } from "../../../contract/link";
import { isAccessTokenExpired } from "../../xero/access-token";
import { XeroConnectionNotFoundError } from "../../xero/errors";
import type { XeroConnection } from "../../xero/parse-api";
import { customConnectionToken, type AppCredentials } from "../app/credentials";
import type { HookContext } from "../runtime/context";
import { decideLink, nextLinkPollDelayMs } from "./decisions";
import { HookNotLinkedError, HookTenantMismatchError, HookTooManyConnectionsError } from "./errors";
import { describeApp } from "../runtime/errors";
import type { HookRun } from "../runtime/inputs";
import type { KindHooks } from "../runtime/kind-hooks";
import { checkAppSecret } from "../runtime/preflight";
import { recordApply } from "../runtime/record";
import type { HookResult } from "../runtime/result";
import { retireDocument } from "../runtime/retire";
import { resolveAppSecret } from "../app/current-secret";
import { ClientSecretSourceOutputs, encodeClientSecretSource } from "../../../contract/client-secret-source";

function credentialsOf(spec: CustomConnectionLinkSpec): AppCredentials {
  return { appName: spec.app.appName, clientId: spec.app.clientId, appKind: "custom_connection", secretReference: spec.app.clientSecret };
}

/** A client_credentials token for the link's app (its rotation's CURRENT once recorded, else its reference), with its client. */
async function connect(spec: CustomConnectionLinkSpec, ctx: HookContext) {
  const declared = credentialsOf(spec);
  const resolved = await resolveAppSecret(spec.app.document, spec.app.backend, spec.app.clientSecret, declared, ctx);
  const app: AppCredentials = { ...declared, secretReference: resolved.reference };
  return { app, secret: resolved.value, ...(await customConnectionToken(app, resolved.value, ctx)) };
}

/**
 * `hook apply` for an `XeroCustomConnection`: client_credentials + GET /connections must show
 * exactly one organisation, the expected one. While there is none (the authorising user has not
 * followed Xero's email yet) it polls with back-off for up to `waitForLinkSeconds`, printing a line
 * before each wait, then fails with what that user must do.
 */
export async function applyLink(spec: CustomConnectionLinkSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  const session = await connect(spec, ctx);
  const { app, client } = session;
  let tokens = session.tokens;
  const startedAt = ctx.clock.now().getTime();
  const deadline = startedAt + spec.waitForLinkSeconds * 1000;
  const expected = {
    ...(spec.expectedTenantId === undefined ? {} : { tenantId: spec.expectedTenantId }),
    ...(spec.expectedTenantName === undefined ? {} : { tenantName: spec.expectedTenantName }),
  };
  let delayMs: number | undefined;
  let connection: XeroConnection;
  for (;;) {
    if (isAccessTokenExpired(tokens, ctx.clock.now())) tokens = (await customConnectionToken(app, session.secret, ctx)).tokens;
    const decision = decideLink(await client.listConnections(tokens.accessToken), expected);
    if (decision.kind === "too_many") throw new HookTooManyConnectionsError(app, decision.connections);
    if (decision.kind === "tenant_mismatch") throw new HookTenantMismatchError(app, decision.connection, expected);
    if (decision.kind === "linked") {
      connection = decision.connection;
      break;
    }
    const now = ctx.clock.now().getTime();
    delayMs = nextLinkPollDelayMs(delayMs, deadline - now);
    if (delayMs === 0) throw new HookNotLinkedError(app, Math.round((now - startedAt) / 1000));
    ctx.say(
      `cdktf-xero: ${spec.document}: ${describeApp(app)} is not linked to an organisation yet (the authorising user must ` +
        `follow Xero's email); checking again in ${seconds(delayMs)} s (${seconds(now - startedAt)} s of ${spec.waitForLinkSeconds} s waited).`,
    );
    await ctx.sleep(delayMs);
  }

  return recordApply(spec, run, ctx, {
    outputs: {
      ...LinkOutputs.encode({
        tenantId: connection.tenantId,
        tenantName: connection.tenantName,
        tenantType: connection.tenantType,
        connectionId: connection.id,
        clientId: spec.app.clientId,
        appName: spec.app.appName,
      }),
      // So `cdktf-xero token` can mint the link's access token from this document alone.
      [ClientSecretSourceOutputs.source]: encodeClientSecretSource({ appDocument: spec.app.document, backend: spec.app.backend, clientSecret: spec.app.clientSecret }),
    },
    summary: `${describeApp(app)} is linked to "${connection.tenantName}" (tenant id ${connection.tenantId}, ${connection.tenantType})`,
  });
}

/**
 * `hook destroy` for an `XeroCustomConnection`: with `unlinkOnDestroy`, DELETE /connections/{id}
 * of the recorded connection (already gone is fine); then retires the document.
 */
export async function destroyLink(spec: CustomConnectionLinkSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  return retireDocument(spec, run, ctx, {
    beforeRetire: async (stored) => {
      const connectionId = stored.values[LinkOutputs.names.connectionId];
      const tenant = `"${String(stored.values[LinkOutputs.names.tenantName])}" (tenant id ${String(stored.values[LinkOutputs.names.tenantId])})`;
      if (!spec.unlinkOnDestroy) {
        ctx.say(
          `cdktf-xero: ${spec.document}: the connection to ${tenant} stays in Xero (unlinkOnDestroy is off); ` +
            `disconnect it in Xero if it is no longer needed.`,
        );
        return;
      }
      if (typeof connectionId !== "string") return;
      const { client, tokens } = await connect(spec, ctx);
      try {
        await client.deleteConnection(tokens.accessToken, connectionId);
        ctx.say(`cdktf-xero: ${spec.document}: deleted connection ${connectionId} to ${tenant}.`);
      } catch (error) {
        if (!(error instanceof XeroConnectionNotFoundError)) throw error;
        ctx.say(`cdktf-xero: ${spec.document}: connection ${connectionId} to ${tenant} was already gone.`);
      }
    },
    afterRetire: () => undefined,
  });
}

/** An `XeroCustomConnection`'s hooks; init checks its app's secret. */
export const linkHooks: KindHooks<CustomConnectionLinkSpec> = {
  readyChecks: (spec, ctx) => [
    () =>
      checkAppSecret(
        spec.document,
        { description: { ...spec.app, appKind: "custom_connection" }, document: spec.app.document, backend: spec.app.backend, reference: spec.app.clientSecret },
        ctx,
      ),
  ],
  apply: applyLink,
  destroy: destroyLink,
};

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
