import { TerraformStack, type TerraformResource } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { checkRegistration, RegistrationOutputs, SECRET_FACTORIES, type AppRegistrationSpec } from "../contract/registration";
import type { XeroScope } from "../contract/scopes";
import { APP_KINDS, type SecretReference } from "../contract/spec-common";
import { XeroAppKind, type XeroAppKindType } from "./app-kind";
import { describeKind, describeValue } from "./errors";
import { checkBoolean, checkClientId, checkCompanyUrl, checkRedirectUris, checkText } from "./field-rules";
import { untrusted, XeroHookConstruct } from "./hook-construct";
import type { XeroHookResourceType } from "./hook-resource";
import { checkScopes } from "./scope-rules";
import { XeroSecret, type IXeroDocumentOwner } from "./xero-secret";
import type { XeroState } from "./xero-state";

/** What every kind of app registration declares; the kind-specific props add secret and redirect URIs. */
export interface XeroAppRegistrationBaseProps {
  /** The app's name in the developer portal (used in messages and retire instructions). */
  readonly appName: string;
  /**
   * The client id from the app's page in the developer portal. Xero's are 32 upper-case
   * hexadecimal characters; another shape gives a synth warning, not an error.
   */
  readonly clientId: string;
  /**
   * The scopes the app is meant to have, e.g. `[XeroScopes.ACCOUNTING_INVOICES_READ]`: the
   * {@link XeroScopes} constants or their strings (anything else is a type error), or
   * `XeroScopes.custom("…")` for a scope Xero added after this release. Checked at synth (unknown,
   * with the nearest known scope suggested; identity on a Custom Connection; broad on a new app;
   * broad mixed with granular; a custom scope for shape only); a Web or PKCE app with API scopes
   * but no `offline_access` gets a warning (no refresh token). `hook apply` compares a Custom
   * Connection's with what Xero granted; for a Web or PKCE app it asks Xero's authorize endpoint
   * (no user) whether the app may request them with each redirect URI, and records them as declared.
   */
  readonly scopes: XeroScope[];
  /**
   * The app's company or application URL, as entered in the portal.
   *
   * @default - not recorded
   */
  readonly companyUrl?: string;
  /**
   * Whether the app was created on or after the granular-scopes cut-over (2 March 2026;
   * 29 April 2026 for Custom Connections). Such apps cannot use the broad accounting scopes, and
   * asking for them is a synth error; for older apps broad scopes give a retirement warning.
   *
   * @default false
   */
  readonly createdAfterGranularScopes?: boolean;
  /**
   * Where the app's credential document lives.
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

/** Properties of a Web app ("Web app" in the portal: auth code with a client secret), for {@link XeroAppRegistration.web}. */
export interface XeroWebAppProps extends XeroAppRegistrationBaseProps {
  /** Where the hooks find the client secret: `XeroSecret.fromEnv`, `.fromFile` or `.fromState`. */
  readonly clientSecret: XeroSecret;
  /**
   * The redirect URIs registered in the portal (CData's `CallbackURL` is the first): 1 to 50;
   * https, or http://localhost on any port; matched exactly.
   */
  readonly redirectUris: string[];
}

/**
 * Properties of a PKCE app ("Mobile or desktop app" in the portal), for {@link XeroAppRegistration.pkce}.
 * There is no `clientSecret`: Xero issues PKCE apps none.
 */
export interface XeroPkceAppProps extends XeroAppRegistrationBaseProps {
  /**
   * The redirect URIs registered in the portal (CData's `CallbackURL` is the first): 1 to 50;
   * https, or http://localhost on any port; matched exactly.
   */
  readonly redirectUris: string[];
}

/**
 * Properties of a Custom Connection app (client credentials for one organisation), for
 * {@link XeroAppRegistration.customConnection}. There are no `redirectUris`: client credentials use no redirect.
 */
export interface XeroCustomConnectionAppProps extends XeroAppRegistrationBaseProps {
  /** Where the hooks find the client secret: `XeroSecret.fromEnv`, `.fromFile` or `.fromState`. */
  readonly clientSecret: XeroSecret;
}

/**
 * Properties of an {@link XeroAppRegistration} of any kind, for its constructor. The kind-specific
 * factories ({@link XeroAppRegistration.web}, `.pkce`, `.customConnection`) take props that only
 * allow what their kind allows, so TypeScript rejects what this bag can only reject at synth.
 */
export interface XeroAppRegistrationProps extends XeroAppRegistrationBaseProps {
  /** The kind of app, as created in the Xero developer portal. */
  readonly kind: XeroAppKindType;
  /**
   * Where the hooks find the client secret. Required for `WEB` and `CUSTOM_CONNECTION`; must be
   * absent for `PKCE` (Xero issues PKCE apps no secret).
   *
   * @default - none (only valid for PKCE apps)
   */
  readonly clientSecret?: XeroSecret;
  /**
   * The redirect URIs registered in the portal (CData's `CallbackURL` is the first). Required for
   * `WEB` and `PKCE` (1 to 50; https, or http://localhost on any port; matched exactly); must be
   * absent for `CUSTOM_CONNECTION`.
   *
   * @default - none (only valid for Custom Connections)
   */
  readonly redirectUris?: string[];
}

/** An app registration as other constructs use it. */
export interface IXeroAppRegistration extends IConstruct, IXeroDocumentOwner {
  /** The declared kind (a literal, known at synth). */
  readonly appKind: XeroAppKindType;
  /** The hook spec this registration synthesizes (literal values only). */
  readonly spec: AppRegistrationSpec;
  /** The primary hook resource (`Resource`); depend on it to run after the app is proven. */
  readonly resource: TerraformResource;
}

const IS_REGISTRATION = Symbol.for("cdktf-xero.XeroAppRegistration");
const clientIdsByStack = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * A Xero app registered by hand in the developer portal, declared so that `cdktf deploy` proves
 * its credentials live and records what Xero granted (a Custom Connection) or accepts (a Web or
 * PKCE app: its redirect URIs and scopes, asked without a user). The portal has no API: this construct
 * declares, verifies and records; it cannot create the app.
 *
 * Renders `Init`, `Status`, `Resource` (the primary hook resource) and `State` (the read-back).
 * Declare one with the factory of its kind ({@link XeroAppRegistration.web}, {@link XeroAppRegistration.pkce},
 * {@link XeroAppRegistration.customConnection}), or with `new XeroAppRegistration(scope, id, { kind, … })`,
 * which synthesizes the same.
 *
 * @example
 * const sync = XeroAppRegistration.customConnection(stack, "Sync", {
 *   appName: "Nightly sync",
 *   clientId: "6E4D953BAAE949D1A1B399307AD58B94",
 *   clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
 *   scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],
 * });
 */
export class XeroAppRegistration extends XeroHookConstruct<AppRegistrationSpec> implements IXeroAppRegistration {
  /** True for registrations made by this package (also across copies of it). */
  static isXeroAppRegistration(value: unknown): value is XeroAppRegistration {
    return value !== null && typeof value === "object" && IS_REGISTRATION in value;
  }

  /**
   * A Web app ("Web app" in the portal): client id and secret, redirect URIs (CData `AuthScheme=OAuth`).
   * The same as `new XeroAppRegistration(scope, id, { kind: XeroAppKind.WEB, ...props })`.
   *
   * @example
   * XeroAppRegistration.web(stack, "Portal", {
   *   appName: "Customer portal",
   *   clientId: "0A1B2C3D4E5F60718293A4B5C6D7E8F9",
   *   clientSecret: XeroSecret.fromEnv("PORTAL_CLIENT_SECRET"),
   *   redirectUris: ["https://portal.example.com/xero/callback"],
   *   scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_INVOICES],
   * });
   */
  static web(scope: Construct, id: string, props: XeroWebAppProps): XeroAppRegistration {
    return new XeroAppRegistration(scope, id, { ...props, kind: XeroAppKind.WEB });
  }

  /**
   * A PKCE app ("Mobile or desktop app" in the portal): no client secret (its props have none),
   * redirect URIs (CData `AuthScheme=PKCE`). The same as
   * `new XeroAppRegistration(scope, id, { kind: XeroAppKind.PKCE, ...props })`.
   *
   * @example
   * XeroAppRegistration.pkce(stack, "FieldApp", {
   *   appName: "Field app",
   *   clientId: "11112222333344445555666677778888",
   *   redirectUris: ["http://localhost:8765/callback"],
   *   scopes: [XeroScopes.OPENID, XeroScopes.OFFLINE_ACCESS, XeroScopes.ACCOUNTING_CONTACTS_READ],
   * });
   */
  static pkce(scope: Construct, id: string, props: XeroPkceAppProps): XeroAppRegistration {
    return new XeroAppRegistration(scope, id, { ...props, kind: XeroAppKind.PKCE });
  }

  /**
   * A Custom Connection app: client credentials for one organisation, no redirect URIs (its props
   * have none; CData `AuthScheme=OAuthClient`). Link it to its organisation with
   * {@link XeroCustomConnection}. The same as
   * `new XeroAppRegistration(scope, id, { kind: XeroAppKind.CUSTOM_CONNECTION, ...props })`.
   *
   * @example
   * XeroAppRegistration.customConnection(stack, "Sync", {
   *   appName: "Nightly sync",
   *   clientId: "6E4D953BAAE949D1A1B399307AD58B94",
   *   clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"),
   *   scopes: [XeroScopes.ACCOUNTING_INVOICES_READ, XeroScopes.ACCOUNTING_CONTACTS_READ],
   * });
   */
  static customConnection(scope: Construct, id: string, props: XeroCustomConnectionAppProps): XeroAppRegistration {
    return new XeroAppRegistration(scope, id, { ...props, kind: XeroAppKind.CUSTOM_CONNECTION });
  }

  readonly appKind: XeroAppKindType;

  constructor(scope: Construct, id: string, props: XeroAppRegistrationProps) {
    super(scope, id);
    Object.defineProperty(this, IS_REGISTRATION, { value: true });

    const p = untrusted(props);
    const kind = p.kind;
    if (typeof kind !== "string" || !(APP_KINDS as readonly string[]).includes(kind)) {
      this.findings.error(
        `kind must be XeroAppKind.WEB, XeroAppKind.PKCE or XeroAppKind.CUSTOM_CONNECTION, got ${describeValue(kind)}`,
      );
    }
    const appKind = (APP_KINDS as readonly string[]).includes(kind as string) ? (kind as XeroAppKindType) : "web";
    const appName = this.findings.take(checkText("appName", p.appName, 'use the app\'s name from the Xero developer portal, e.g. "Nightly sync"'));
    const clientId = this.findings.take(checkClientId(p.clientId));
    const clientSecret = this.bindSecret(appKind, p.clientSecret);
    const redirectUris = this.findings.take(checkRedirectUris(p.redirectUris));
    const createdAfterGranularScopes = this.findings.take(checkBoolean("createdAfterGranularScopes", p.createdAfterGranularScopes, false));
    const { scopes, unknownScopes } = this.findings.take(checkScopes(p.scopes));
    const companyUrl = this.findings.take(checkCompanyUrl(p.companyUrl));
    const fields = { appKind, clientId, clientSecret, redirectUris, scopes, unknownScopes, companyUrl, createdAfterGranularScopes };
    this.takeRules(checkRegistration(fields, ""));
    const placement = this.placement(p);
    if (!this.findings.hasErrors()) this.claimClientId(clientId);

    this.appKind = appKind;
    this.render("app_registration", placement, () => ({
      appKind,
      appName,
      clientId,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      redirectUris,
      scopes,
      ...(unknownScopes.length === 0 ? {} : { unknownScopes }),
      ...(companyUrl === undefined ? {} : { companyUrl }),
      createdAfterGranularScopes,
    }), { statusDefaults: RegistrationOutputs.statusDefaults });
  }

  /** The client id Xero accepted, read back after apply. @returns a token */
  get clientId(): string { return this.readString(RegistrationOutputs.names.clientId); }

  /** The app kind recorded by the hook (`web` | `pkce` | `custom_connection`). @returns a token */
  get kind(): string { return this.readString(RegistrationOutputs.names.kind); }

  /**
   * The scopes Xero granted, sorted: a Custom Connection's, from its token. Empty for Web and PKCE
   * apps, whose scopes Xero grants per user consent (see {@link declaredScopes}). @returns a token list
   */
  get grantedScopes(): string[] { return this.readList(RegistrationOutputs.names.grantedScopes); }

  /**
   * The declared scopes, sorted, as the hook recorded them after proving them (Web and PKCE: Xero's
   * authorize endpoint takes them with every declared redirect URI; nothing is granted). @returns a token list
   */
  get declaredScopes(): string[] { return this.readList(RegistrationOutputs.names.declaredScopes); }

  /** The CData JDBC URL, e.g. `jdbc:xero:AuthScheme=OAuthClient;OAuthClientId=…;Scope=…;` (no secret). @returns a token */
  get jdbcUrl(): string { return this.readString(RegistrationOutputs.names.jdbcUrl); }


  /**
   * The secret reference, when the props give a usable one. A secret given but unusable is
   * reported here and stands as a placeholder for the kind's rules, which say whether one belongs.
   */
  private bindSecret(kind: XeroAppKindType, value: unknown): SecretReference | undefined {
    const given: SecretReference = { source: "env", name: "" };
    if (value === undefined) return undefined;
    if (kind === "pkce") return given; // the registration rules refuse any secret on a PKCE app
    if (!XeroSecret.isXeroSecret(value)) {
      // Never echo the value: a plain string here is most likely the secret itself.
      this.findings.error(`clientSecret must be a XeroSecret reference, got ${describeKind(value)}; never put a secret in code, use ${SECRET_FACTORIES}`);
      return given;
    }
    const bound = value.bind(this);
    if ("problem" in bound) {
      this.findings.error(`clientSecret ${bound.problem}`);
      return given;
    }
    return bound.reference;
  }

  /** One registration per client id and stack: two would race for the same credentials. */
  private claimClientId(clientId: string): void {
    const stack = TerraformStack.of(this);
    let claimed = clientIdsByStack.get(stack);
    if (claimed === undefined) {
      claimed = new Map();
      clientIdsByStack.set(stack, claimed);
    }
    const other = claimed.get(clientId);
    if (other !== undefined) {
      this.findings.error(`clientId ${JSON.stringify(clientId)} is already registered in this stack by ${other}; declare each app once and reference that construct`);
      return;
    }
    claimed.set(clientId, this.node.path);
  }
}
