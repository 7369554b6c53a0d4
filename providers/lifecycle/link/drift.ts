import { decodeClientSecretSource, type ClientSecretSource } from "../../../contract/client-secret-source";
import { LinkOutputs, type CustomConnectionLinkSpec } from "../../../contract/link";
import { RegistrationOutputs } from "../../../contract/registration";
import { isRotationCurrentReference, rotationCurrentReference } from "../../../contract/rotation";
import { HOOK_SPEC_VERSION } from "../../../contract/spec-common";
import type { StateBackendAddress } from "../../../contract/state-address";
import type { DriftCheckContext, DriftTarget, KindCheckResult, KindDriftCheck } from "../../drift/kind-check";
import type { StoredDocument } from "../../state";
import { XeroInvalidClientError } from "../../xero/errors";
import type { XeroConnection } from "../../xero/parse-api";
import { decideLink } from "./decisions";
import { describeApp, describeSecretReference, XERO_APP_MANAGEMENT_URL, type AppDescription } from "../runtime/errors";

/**
 * Drift of an `XeroCustomConnection`, read only: a client-credentials token (shared with the app's
 * own check in a run) and GET /connections must show exactly one organisation: the declared one,
 * else the one the document recorded.
 */

function organisation(connection: XeroConnection): string {
  return `"${connection.tenantName}" (tenant id ${connection.tenantId}, ${connection.tenantType})`;
}

function recorded(stored: StoredDocument, key: string): string | undefined {
  const value = stored.values[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

async function check(target: DriftTarget<CustomConnectionLinkSpec>, ctx: DriftCheckContext): Promise<KindCheckResult> {
  const { spec, stored } = target;
  const app: AppDescription = { appName: spec.app.appName, clientId: spec.app.clientId, appKind: "custom_connection" };
  const secret = await ctx.appSecret({ ...app, document: spec.app.document, backend: spec.app.backend, reference: spec.app.clientSecret });
  if (!secret.ok) {
    if (target.origin === "document" && isRotationCurrentReference(spec.app.clientSecret, spec.app.document)) {
      return { findings: [], notes: [`not checked live: ${secret.problem} (the document names no other secret; run drift with --stack from the synthesized code)`] };
    }
    return {
      findings: [{ code: "secret.unavailable", expected: `the client secret of ${describeApp(app)} from ${describeSecretReference(spec.app.clientSecret)}`, live: secret.problem, fix: secret.fix }],
      notes: [],
    };
  }
  let accessToken: string;
  try {
    accessToken = (await ctx.customConnectionToken(app.clientId, secret.value)).accessToken;
  } catch (error) {
    if (!(error instanceof XeroInvalidClientError)) throw error;
    return {
      findings: [{
        code: "registration.invalid_client",
        expected: `${describeApp(app)} accepts its client secret, so its link can be listed`,
        live: "Xero answers invalid_client to a client_credentials request: the secret was deleted or regenerated, or the app is gone",
        fix: `Repair the app first (see its own finding, ${spec.app.document}); then deploy`,
      }],
      notes: [],
    };
  }
  const client = ctx.xero({ clientId: app.clientId });
  const expectedTenantId = spec.expectedTenantId ?? recorded(stored, LinkOutputs.names.tenantId);
  const expectedName = recorded(stored, LinkOutputs.names.tenantName);
  const expected = expectedTenantId === undefined
    ? "linked to exactly one organisation"
    : `linked to ${expectedName === undefined ? "" : `"${expectedName}" `}(tenant id ${expectedTenantId})`;
  const decision = decideLink(await client.listConnections(accessToken), {
    ...(expectedTenantId === undefined ? {} : { tenantId: expectedTenantId }),
    ...(spec.expectedTenantName === undefined ? {} : { tenantName: spec.expectedTenantName }),
  });
  const reauthorise =
    `the authorising user named for ${describeApp(app)} at ${XERO_APP_MANAGEMENT_URL} must (re-)authorise it for the expected organisation ` +
    "(Xero emails them the link); then deploy";
  switch (decision.kind) {
    case "linked":
      return { findings: [], notes: [] };
    case "not_linked":
      return { findings: [{ code: "link.not_linked", expected, live: "linked to no organisation (GET /connections is empty)", fix: `Re-link it: ${reauthorise}` }], notes: [] };
    case "tenant_mismatch":
      return {
        findings: [{
          code: "link.other_organisation",
          expected,
          live: `linked to ${organisation(decision.connection)}`,
          fix: `Link it back: ${reauthorise}. If the new organisation is intended, declare expectedTenantId ${decision.connection.tenantId} instead`,
        }],
        notes: [],
      };
    case "too_many":
      return {
        findings: [{
          code: "link.too_many",
          expected,
          live: `linked to ${decision.connections.length} organisations: ${decision.connections.map(organisation).join(", ")}`,
          fix: `Disconnect the organisations that are not expected in Xero (a Custom Connection links one organisation); then deploy`,
        }],
        notes: [],
      };
  }
}

/** Each document's recorded secret source, decoded once: the runner asks both steps below of every link it reads. */
const secretSources = new WeakMap<StoredDocument, ClientSecretSource | undefined>();

function recordedSecretSource(stored: StoredDocument): ClientSecretSource | undefined {
  if (!secretSources.has(stored)) secretSources.set(stored, decodeClientSecretSource(stored.values[LinkOutputs.names.clientSecretSource]));
  return secretSources.get(stored);
}

export const customConnectionLinkDriftCheck: KindDriftCheck<CustomConnectionLinkSpec> = {
  kind: "custom_connection_link",
  recognises: (stored) => typeof stored.values[LinkOutputs.names.connectionId] === "string" && stored.values[RegistrationOutputs.names.kind] === undefined,
  // Only a link whose document predates the recorded secret source needs the others: its app is found by client id.
  specNeedsOtherDocuments: (stored) => recordedSecretSource(stored)?.appDocument === undefined,
  specFromDocument(stored: StoredDocument, backend: StateBackendAddress, others: readonly StoredDocument[]) {
    const clientId = recorded(stored, LinkOutputs.names.clientId);
    const tenantId = recorded(stored, LinkOutputs.names.tenantId);
    if (clientId === undefined || tenantId === undefined) return { problem: "the document records no client id and tenant id (never applied)" };
    // A link's document records its app's client id, not the app's document: the app is the Custom
    // Connection registration in the same backend with that client id (its rotation holds the secret).
    const source = recordedSecretSource(stored);
    const appDocument =
      source?.appDocument ??
      others.find((other) => other.values[RegistrationOutputs.names.kind] === "custom_connection" && other.values[RegistrationOutputs.names.clientId] === clientId)?.name ??
      stored.name;
    return {
      version: HOOK_SPEC_VERSION,
      kind: "custom_connection_link",
      document: stored.name,
      backend,
      app: {
        document: appDocument,
        backend,
        appName: LinkOutputs.decode(stored.values).appName ?? clientId,
        clientId,
        clientSecret: source?.clientSecret ?? rotationCurrentReference(appDocument),
        scopes: ["openid"],
      },
      expectedTenantId: tenantId,
      waitForLinkSeconds: 0,
      unlinkOnDestroy: false,
    };
  },
  check,
};
