import { ConnectionOutputs, type OAuthConnectionSpec } from "../../../contract/connection";
import { CommonOutputs } from "../../../contract/document-codec";
import { canonicalJson } from "../../../contract/hook-spec";
import { formatRfc3339 } from "../../clock";
import type { StateBackend } from "../../state";
import { ConnectionNotConsentedError, ConsentRequiredError } from "../../tokens/errors";
import { vendAccessToken } from "../../tokens/locked-refresh";
import type { HookContext } from "../runtime/context";
import { describeApp } from "../runtime/errors";
import type { HookRun } from "../runtime/inputs";
import { isSameRecord, recordApply } from "../runtime/record";
import type { HookResult } from "../runtime/result";
import { connectLocation } from "./connect-location";
import { consentedAppClient, consentedAppOf } from "./consented-app";
import { decideCoverage, isRefreshDue, refreshDueAt } from "./decisions";
import { ConnectionAppChangedError, ConnectionConsentMismatchError } from "./errors";
import { documentTokenSetStore, tokenSetRecordOf } from "./token-set-store";

/**
 * What `connect`, `token` and `refresh --due` read from the document alone: the declaration it is
 * applied for, its keepAlive, and (unless `withApp` is false) the app. Written on every apply, the
 * failing ones included, so a `connect` run after a failed deploy consents to what the code declares now.
 */
function declarationOutputs(spec: OAuthConnectionSpec, withApp = true): Record<string, string | number> {
  return ConnectionOutputs.encode({
    declaration: canonicalJson(spec),
    keepAliveSeconds: spec.keepAliveSeconds,
    ...(withApp ? { clientId: spec.app.clientId, appName: spec.app.appName } : {}),
  }) as Record<string, string | number>;
}

/**
 * Records the declaration and nothing else (no completed apply: the run's bookkeeping stays as it
 * was). `withApp: false` keeps the recorded client id, which then still names the app the stored
 * token set belongs to.
 */
async function recordDeclaration(backend: StateBackend, spec: OAuthConnectionSpec, withApp = true): Promise<void> {
  await backend.update(spec.document, (current) => {
    const next = { ...(current?.values ?? { [CommonOutputs.names.generation]: 0 }), ...declarationOutputs(spec, withApp) };
    return isSameRecord(current?.values, next) ? undefined : next;
  });
}

/**
 * `hook apply` for an `XeroOAuthConnection`:
 * - no token set yet: records the declaration and fails with the `connect` command to run;
 * - a new consent needed (recorded by the token protocol): fails with the same command;
 * - otherwise an access token, only through the token vending protocol (cached, or refreshed under
 *   the document's lock with its write-ahead record; refreshed whenever the refresh token is older
 *   than keepAlive), then GET /connections: every declared organisation must be connected and every
 *   declared scope granted, else it fails with both lists, the token set left stored;
 * - records the organisations, the declaration and the next refresh due (`due_at`, so the plan runs
 *   this hook again then).
 */
export async function applyConnection(spec: OAuthConnectionSpec, run: HookRun, ctx: HookContext): Promise<HookResult> {
  const app = consentedAppOf(spec);
  const backend = await ctx.backend(spec.backend);
  const location = connectLocation(spec.document, spec.backend, ctx);
  const stored = await backend.read(spec.document);
  const store = documentTokenSetStore(backend, spec.document, { backendFlag: location.backendFlag, ...(stored === undefined ? {} : { alreadyRead: stored }) });
  const record = tokenSetRecordOf(stored?.values, stored === undefined ? {} : await backend.openSecrets(stored));
  if (record.needsConsent !== undefined) {
    await recordDeclaration(backend, spec);
    throw new ConsentRequiredError(location, record.needsConsent.reason);
  }
  const tokenSet = record.tokenSet;
  if (tokenSet === undefined) {
    await recordDeclaration(backend, spec);
    throw new ConnectionNotConsentedError(location);
  }
  ctx.registerSecret(tokenSet.refreshToken);
  if (tokenSet.accessToken !== undefined) ctx.registerSecret(tokenSet.accessToken);
  const consentedClientId = ConnectionOutputs.decode(stored?.values).clientId;
  if (consentedClientId !== undefined && consentedClientId !== "" && consentedClientId !== spec.app.clientId) {
    await recordDeclaration(backend, spec, false);
    throw new ConnectionAppChangedError(location, app, consentedClientId);
  }

  const client = await consentedAppClient(spec, ctx);
  const forceRefresh = isRefreshDue(tokenSet.refreshTokenIssuedAt, spec.keepAliveSeconds, ctx.clock.now());
  const vended = await vendAccessToken(store, { refresh: (refreshToken) => client.refresh(refreshToken) }, { clock: ctx.clock, forceRefresh });
  ctx.registerSecret(vended.accessToken);
  const connections = await client.listConnections(vended.accessToken);

  const coverage = decideCoverage(spec, { connections, grantedScopes: vended.scopes });
  if (coverage.kind === "mismatch") {
    await recordDeclaration(backend, spec);
    throw new ConnectionConsentMismatchError(location, app, {
      declaredTenants: spec.tenants,
      declaredScopes: spec.scopes,
      liveConnections: connections,
      grantedScopes: vended.scopes,
      ...coverage,
    });
  }

  // The record as the vend left it: a refresh moved the issue time the next due counts from.
  const issuedAt = (await store.read()).record.tokenSet?.refreshTokenIssuedAt ?? tokenSet.refreshTokenIssuedAt;
  const due = formatRfc3339(refreshDueAt(issuedAt, spec.keepAliveSeconds));
  const tenants = connections.map((connection) => `"${connection.tenantName}" (tenant id ${connection.tenantId})`).join(", ");
  const refreshed = vended.refreshed ? `refreshed the token set (${forceRefresh ? "older than keepAlive" : "access token expired"}); ` : "";
  return recordApply(spec, run, ctx, {
    outputs: {
      ...declarationOutputs(spec),
      ...ConnectionOutputs.encode({
        tenantIds: connections.map((connection) => connection.tenantId),
        tenantNames: connections.map((connection) => connection.tenantName),
        refreshDueAt: due,
        dueAt: due,
      }),
    },
    summary: `${describeApp(app)}: ${refreshed}the consent covers ${tenants || "no organisation"} with scopes ${vended.scopes.join(" ")}; next refresh due ${due}`,
  });
}
