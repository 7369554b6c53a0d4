import type { Construct } from "constructs";
import { LinkOutputs, type CustomConnectionLinkSpec } from "../contract/link";
import { APP_KIND_LABEL } from "../contract/spec-common";
import { XeroAppRegistration, type IXeroAppRegistration } from "./app-registration";
import type { Duration } from "./duration";
import { describeValue } from "./errors";
import { checkBoolean, checkTenantId, checkText, checkWaitForLink } from "./field-rules";
import { untrusted, XeroHookConstruct } from "./hook-construct";
import type { XeroHookResourceType } from "./hook-resource";
import type { XeroState } from "./xero-state";

/** Properties of an {@link XeroCustomConnection}. */
export interface XeroCustomConnectionProps {
  /** The Custom Connection app whose organisation link this is (kind `CUSTOM_CONNECTION`). */
  readonly app: IXeroAppRegistration;
  /**
   * The tenant id the connection must be linked to; `hook apply` fails on any other. Written to
   * the spec in lower case, as Xero reports tenant ids.
   *
   * @default - any single organisation is accepted and recorded
   */
  readonly expectedTenantId?: string;
  /**
   * The organisation name the connection must be linked to (exact match).
   *
   * @default - the name is recorded, not checked
   */
  readonly expectedTenantName?: string;
  /**
   * How long `hook apply` waits, polling with backoff, for the authorising user to follow Xero's
   * email while the connection is not linked yet: whole seconds, at most 24 hours. A `Duration`
   * only, so the unit is in the code (a bare number is refused, naming the Duration it meant).
   *
   * @example Duration.minutes(10)
   * @default - no wait: fail at once, saying what the authorising user must do
   */
  readonly waitForLink?: Duration;
  /**
   * Whether destroying this construct disconnects the organisation (DELETE /connections/{id}).
   *
   * @default false
   */
  readonly unlinkOnDestroy?: boolean;
  /**
   * Where the link's credential document lives.
   *
   * @default - the stack's {@link XeroStackDefaults}, else XeroState.local(".cdktf-xero/state")
   */
  readonly state?: XeroState;
  /**
   * Which Terraform resource carries the hooks.
   *
   * @default - the stack's {@link XeroStackDefaults}, else "terraform_data"
   */
  readonly hookResource?: XeroHookResourceType;
}

const linksByApp = new WeakMap<IXeroAppRegistration, string>();

/**
 * The link between a Custom Connection app and the one organisation it serves. `cdktf deploy`
 * proves it with client credentials and GET /connections: exactly one tenant, the expected one.
 *
 * Renders `Init`, `Status`, `Resource` (the primary hook resource, after the app's) and `State`.
 *
 * @example
 * const link = new XeroCustomConnection(stack, "SyncLink", {
 *   app: sync,
 *   expectedTenantId: "8c5c1b2e-3f4a-4b5c-9d6e-7f8091a2b3c4",
 *   waitForLink: Duration.minutes(10),
 * });
 * new TerraformOutput(stack, "tenant", { value: link.tenantId });
 */
export class XeroCustomConnection extends XeroHookConstruct<CustomConnectionLinkSpec> {
  constructor(scope: Construct, id: string, props: XeroCustomConnectionProps) {
    super(scope, id);

    const p = untrusted(props);
    const app = p.app;
    if (!XeroAppRegistration.isXeroAppRegistration(app)) {
      this.findings.error(`app must be an XeroAppRegistration of kind XeroAppKind.CUSTOM_CONNECTION, got ${describeValue(app)}`);
    } else if (app.appKind !== "custom_connection") {
      this.findings.error(
        `app ${app.node.path} is a ${APP_KIND_LABEL[app.appKind]}, but only a Custom Connection links to an organisation; use an XeroAppRegistration of kind XeroAppKind.CUSTOM_CONNECTION`,
      );
    } else {
      const other = linksByApp.get(app);
      if (other !== undefined) {
        this.findings.error(`app ${app.node.path} is already linked by ${other}; a Custom Connection links to exactly one organisation`);
      }
    }
    const expectedTenantId = this.findings.take(checkTenantId(p.expectedTenantId));
    const expectedTenantName =
      p.expectedTenantName === undefined
        ? undefined
        : this.findings.take(checkText("expectedTenantName", p.expectedTenantName, "use the organisation's name as Xero shows it"));
    const waitForLinkSeconds = this.findings.take(checkWaitForLink(p.waitForLink));
    const unlinkOnDestroy = this.findings.take(checkBoolean("unlinkOnDestroy", p.unlinkOnDestroy, false));
    const placement = this.placement(p);

    const registration = app as XeroAppRegistration;
    this.render(
      "custom_connection_link",
      placement,
      () => {
        linksByApp.set(registration, this.node.path);
        const { document, backend, appName, clientId, clientSecret, scopes } = registration.spec;
        if (clientSecret === undefined) throw new Error(`${registration.node.path} has no client secret`); // kind checked above
        return {
          app: { document, backend, appName, clientId, clientSecret, scopes },
          ...(expectedTenantId === undefined ? {} : { expectedTenantId }),
          ...(expectedTenantName === undefined ? {} : { expectedTenantName }),
          waitForLinkSeconds,
          unlinkOnDestroy,
        };
      },
      { dependsOn: XeroAppRegistration.isXeroAppRegistration(app) ? this.after(registration) : undefined, statusDefaults: LinkOutputs.statusDefaults },
    );
  }

  /** The linked organisation's tenant id. @returns a token */
  get tenantId(): string { return this.readString(LinkOutputs.names.tenantId); }

  /** The linked organisation's name. @returns a token */
  get tenantName(): string { return this.readString(LinkOutputs.names.tenantName); }

  /** `ORGANISATION` or `PRACTICE`. @returns a token */
  get tenantType(): string { return this.readString(LinkOutputs.names.tenantType); }

  /** The connection id (what disconnecting takes). @returns a token */
  get connectionId(): string { return this.readString(LinkOutputs.names.connectionId); }

}
