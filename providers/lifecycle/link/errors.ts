import { CdktfXeroError } from "../../errors";
import { describeApp, XERO_APP_MANAGEMENT_URL, type AppDescription } from "../runtime/errors";

/** Why a Custom Connection's link failed (see runtime/errors.ts for the rules). */

/** GET /connections stayed empty: the authorising user has not completed Xero's emailed authorisation. */
export class HookNotLinkedError extends CdktfXeroError {
  readonly code = "HOOK_NOT_LINKED";
  constructor(app: AppDescription, waitedSeconds: number) {
    const waited = waitedSeconds > 0 ? ` after waiting ${waitedSeconds} s` : "";
    super(
      `${describeApp(app)} is not linked to a Xero organisation${waited}. The authorising user named for it in the developer ` +
        `portal must open Xero's email and authorise the connection for the organisation; if the email expired, or the ` +
        `app's scopes or organisation were changed, re-authorise it at ${XERO_APP_MANAGEMENT_URL}. Then run cdktf deploy ` +
        `again (waitForLink makes the deploy wait for the authorisation); nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, waitedSeconds } },
    );
  }
}

/** More than one connection for a Custom Connection, which links exactly one organisation. */
export class HookTooManyConnectionsError extends CdktfXeroError {
  readonly code = "HOOK_TOO_MANY_CONNECTIONS";
  constructor(app: AppDescription, tenants: ReadonlyArray<{ tenantName: string; tenantId: string }>) {
    super(
      `${describeApp(app)} has ${tenants.length} connections (${tenants.map((t) => `"${t.tenantName}" ${t.tenantId}`).join(", ")}), ` +
        `but a Custom Connection links exactly one organisation. Check that XERO_API_URL points at Xero, and re-authorise ` +
        `the connection for one organisation at ${XERO_APP_MANAGEMENT_URL}; nothing was recorded.`,
      { context: { appName: app.appName, clientId: app.clientId, tenantIds: tenants.map((t) => t.tenantId) } },
    );
  }
}

/** The linked organisation is not the one the code expects. */
export class HookTenantMismatchError extends CdktfXeroError {
  readonly code = "HOOK_TENANT_MISMATCH";
  constructor(
    app: AppDescription,
    actual: { tenantId: string; tenantName: string },
    expected: { tenantId?: string; tenantName?: string },
  ) {
    const wanted = [
      ...(expected.tenantId === undefined ? [] : [`tenant id ${expected.tenantId}`]),
      ...(expected.tenantName === undefined ? [] : [`name "${expected.tenantName}"`]),
    ].join(" and ");
    super(
      `${describeApp(app)} is linked to "${actual.tenantName}" (tenant id ${actual.tenantId}), but the code expects ${wanted}. ` +
        `Re-authorise the Custom Connection for the expected organisation at ${XERO_APP_MANAGEMENT_URL}, or change ` +
        `expectedTenantId / expectedTenantName in the code; nothing was recorded.`,
      {
        context: {
          appName: app.appName,
          clientId: app.clientId,
          tenantId: actual.tenantId,
          expectedTenantId: expected.tenantId ?? null,
          expectedTenantName: expected.tenantName ?? null,
        },
      },
    );
  }
}
