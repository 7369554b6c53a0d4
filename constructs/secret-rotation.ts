import type { TerraformRemoteState, TerraformStack } from "cdktf";
import { TerraformStack as Stack } from "cdktf";
import type { Construct } from "constructs";
import {
  OVERDUE_ACTIONS,
  PKCE_HAS_NO_SECRET,
  rotationDocumentFor,
  RotationOutputs,
  rotationPolicyWarnings,
  RotationPolicy,
  rotationSecondsProblem,
  RotationSecretKeys,
  warnAfterSeconds,
  type SecretRotationSpec,
} from "../contract/rotation";
import { APP_KIND_LABEL } from "../contract/spec-common";
import { formatBackendAddress, type StateBackendAddress } from "../contract/state-address";
import { XeroAppRegistration, type IXeroAppRegistration } from "./app-registration";
import { resolveHookResource, type Findings } from "./construct-support";
import { Duration } from "./duration";
import { describeValue } from "./errors";
import type { FieldCheck } from "./field-rules";
import { untrusted, XeroHookConstruct } from "./hook-construct";
import type { XeroHookResourceType } from "./hook-resource";
import { escapeTemplate } from "./hook-parts";
import { XeroSecret, type IXeroDocumentOwner } from "./xero-secret";
import { XeroState } from "./xero-state";

/**
 * What `hook apply` does when the current secret is older than `maxAge` and nothing is staged.
 *
 * - `WARN`: the deploy succeeds and prints the portal steps to take (generate, stage, deploy).
 * - `FAIL`: the deploy fails with the same steps, so an overdue secret blocks the pipeline.
 */
export const XeroOverdueAction = {
  WARN: "warn",
  FAIL: "fail",
} as const;

export type XeroOverdueActionType = (typeof XeroOverdueAction)[keyof typeof XeroOverdueAction];

/** Properties of an {@link XeroSecretRotation}. */
export interface XeroSecretRotationProps {
  /**
   * The app whose client secret rotates: an {@link XeroAppRegistration} of kind `WEB` or
   * `CUSTOM_CONNECTION` (a PKCE app has no secret). One rotation per app.
   */
  readonly app: IXeroAppRegistration;
  /**
   * Policy: how old the current secret may get. The rotation hook falls due (a replacement in the
   * plan) at 80% of it, to warn, and at 100%, when the secret is overdue and the hook acts as
   * `onOverdue` says; after that daily until a new secret is promoted. Whole seconds, from
   * 1 second to 3660 days; under a day gives a synth warning (fine for tests).
   *
   * @default Duration.days(90)
   */
  readonly maxAge?: Duration;
  /**
   * How long the previous secret stays recorded (under the `previous` key) after a promotion, for
   * consumers that have not picked up the new one yet; then the rotation hook falls due again and
   * drops it. Whole seconds, from 0 (dropped the next time the rotation hook runs) to 3660 days.
   * This is only the record: whether Xero still accepts the old secret is the portal's business
   * (delete it there when done).
   *
   * @default Duration.days(7) - a weekly job or cache still finds the secret it started with,
   * while a superseded secret does not linger
   */
  readonly keepPrevious?: Duration;
  /**
   * What the deploy does once the secret is overdue and no candidate is staged.
   *
   * @default XeroOverdueAction.WARN
   */
  readonly onOverdue?: XeroOverdueActionType;
  /**
   * Where the rotation's document lives. It is always the app's backend (the document is
   * `<app document>/rotation`, next to the app's, so the app's hooks find the current secret);
   * setting another one is a synth error.
   *
   * @default - the app's backend
   */
  readonly state?: XeroState;
  /**
   * Which Terraform resource carries the hooks.
   *
   * @default - the stack's {@link XeroStackDefaults}, else "terraform_data"
   */
  readonly hookResource?: XeroHookResourceType;
}

const SECONDS_PER_DAY = 86_400;
const DEFAULT_MAX_AGE = Duration.days(RotationPolicy.defaultMaxAgeSeconds / SECONDS_PER_DAY);
const DEFAULT_KEEP_PREVIOUS = Duration.days(RotationPolicy.defaultKeepPreviousSeconds / SECONDS_PER_DAY);
const rotationsByApp = new WeakMap<IXeroAppRegistration, string>();

/**
 * A staged, resumable rotation of one app's client secret. Xero has no API that generates a
 * secret, so a person generates it in the developer portal and stages it; the next
 * `cdktf diff` shows the rotation hook replaced, and the next `cdktf deploy` tests the candidate
 * against Xero and promotes it: pending → current, the old current kept as previous for
 * `keepPrevious`. The first deploy records the app's declared secret as current.
 *
 * Consumers (and the app's own hooks) read the current secret from the state backend, so a
 * rotation moves all of them at once: `XeroSecret.fromState(rotation, "current")`, or
 * {@link currentSecret}.
 *
 * Renders `Init`, `Status`, `Resource` (the hook resource, after the app's; also re-run when the
 * secret falls due, via `plantimestamp()`) and `State` (the read-back), for the document
 * `<app document>/rotation` in the app's backend.
 *
 * @example
 * const sync = new XeroAppRegistration(stack, "Sync", {
 *   kind: XeroAppKind.CUSTOM_CONNECTION,
 *   appName: "Nightly sync",
 *   clientId: "6E4D953BAAE949D1A1B399307AD58B94",
 *   clientSecret: XeroSecret.fromEnv("SYNC_CLIENT_SECRET"), // the first current secret
 *   scopes: [XeroScopes.ACCOUNTING_INVOICES_READ],
 * });
 * const rotation = new XeroSecretRotation(stack, "SyncRotation", { app: sync, maxAge: Duration.days(90) });
 * new TerraformOutput(stack, "sync_secret_due", { value: rotation.nextDue });
 *
 * // To rotate:
 * // 1. At https://developer.xero.com/app/manage open "Nightly sync" and "Generate another secret"
 * //    (keep the current one until the rotation is deployed).
 * // 2. Stage it: read from stdin (or --from-env NAME, never an argument), tested against Xero at
 * //    once, stored encrypted as pending; the document is the app's, `<stack>/<construct path>`:
 * //      pbpaste | npx cdktf-xero secret stage prod/Sync --backend local:.cdktf-xero/state
 * // 3. `cdktf diff` shows the rotation hook replaced; `cdktf deploy` tests and promotes the secret.
 * // 4. Once no consumer uses the old secret, delete it in the portal.
 *
 * @see https://developer.xero.com/app/manage
 */
export class XeroSecretRotation extends XeroHookConstruct<SecretRotationSpec> implements IXeroDocumentOwner {
  constructor(scope: Construct, id: string, props: XeroSecretRotationProps) {
    super(scope, id);

    const p = untrusted(props);
    const registration = this.checkApp(p.app);
    const maxAge = this.findings.take(checkRotationDuration("maxAge", p.maxAge, DEFAULT_MAX_AGE, RotationPolicy.minMaxAgeSeconds));
    const keepPrevious = this.findings.take(checkRotationDuration("keepPrevious", p.keepPrevious, DEFAULT_KEEP_PREVIOUS, RotationPolicy.minKeepPreviousSeconds));
    // An invalid maxAge is reported already.
    if (maxAge.seconds !== 0) for (const warning of rotationPolicyWarnings(maxAge, keepPrevious)) this.findings.warning(warning);
    const onOverdue = this.findings.take(checkOverdueAction(p.onOverdue));
    const hookResource = resolveHookResource(this, p.hookResource, this.findings);
    if (registration !== undefined) {
      checkSameBackend(this, p.state, registration.spec.backend, registration.spec.document, this.findings);
      this.findings.take(checkFirstSecret(registration));
    }

    // Checked here: render() throws unless the app is a Web app or Custom Connection with a secret.
    const app = registration as XeroAppRegistration;
    const placement = { document: rotationDocumentFor(app?.spec.document ?? ""), backend: app?.spec.backend ?? { type: "local" as const, dir: "" }, hookResource };
    const parts = this.render(
      "secret_rotation",
      placement,
      () => {
        const { document: appDocument, backend, appName, appKind, clientId, clientSecret, scopes } = app.spec;
        if (clientSecret === undefined || appKind === "pkce") throw new Error(`${app.node.path} has no client secret`);
        rotationsByApp.set(app, this.node.path);
        return {
          app: { document: appDocument, backend, appName, appKind, clientId, clientSecret, scopes },
          maxAgeSeconds: maxAge.seconds,
          keepPreviousSeconds: keepPrevious.seconds,
          onOverdue,
        };
      },
      {
        dependsOn: registration === undefined ? undefined : this.after(app),
        scheduled: true,
        statusDefaults: RotationOutputs.statusDefaults,
      },
    );
    renderSecretAgeCheck(Stack.of(this), parts.status, this.spec);
  }

  /** The current secret, as consumers reference it: `XeroSecret.fromState(this, "current")`. */
  get currentSecret(): XeroSecret {
    return XeroSecret.fromState(this, RotationSecretKeys.current);
  }

  /** Keyed fingerprint of the current secret (`hmac-sha256:<key id>:<hex>`), never the secret. @returns a token */
  get currentSecretFingerprint(): string { return this.readString(RotationOutputs.names.currentFingerprint); }

  /** When the current secret became current, RFC 3339 UTC. @returns a token */
  get rotatedAt(): string { return this.readString(RotationOutputs.names.rotatedAt); }

  /** When the current secret becomes overdue (`rotatedAt + maxAge`), RFC 3339 UTC. @returns a token */
  get nextDue(): string { return this.readString(RotationOutputs.names.nextDue); }


  /** The app, if it is a registration with a secret that no other rotation claims. */
  private checkApp(value: unknown): XeroAppRegistration | undefined {
    const findings = this.findings;
    if (!XeroAppRegistration.isXeroAppRegistration(value)) {
      findings.error(`app must be an XeroAppRegistration of kind XeroAppKind.WEB or XeroAppKind.CUSTOM_CONNECTION, got ${describeValue(value)}`);
      return undefined;
    }
    if (value.appKind === "pkce") {
      findings.error(
        `app ${value.node.path} is ${PKCE_HAS_NO_SECRET}; remove this XeroSecretRotation, or rotate a web app or Custom Connection`,
      );
      return undefined;
    }
    const other = rotationsByApp.get(value);
    if (other !== undefined) {
      findings.error(`app ${value.node.path} already has a secret rotation, ${other}; declare one XeroSecretRotation per app`);
      return undefined;
    }
    return value;
  }
}

/**
 * A Terraform `check` block on the secret's age, so every plan and apply warns from 80% of maxAge and
 * again once it is overdue, also when the scheduled hook does not run (it runs at those moments and
 * then once a day). A failed check is a warning: it never blocks a plan or makes it dirty.
 */
function renderSecretAgeCheck(stack: TerraformStack, status: TerraformRemoteState, spec: SecretRotationSpec): void {
  const warnAfter = warnAfterSeconds(spec.maxAgeSeconds);
  const app = escapeTemplate(`${APP_KIND_LABEL[spec.app.appKind]} "${spec.app.appName}" (client id ${spec.app.clientId})`);
  const steps = escapeTemplate(
    `1) generate a secret for it at https://developer.xero.com/app/manage; 2) stage it: ` +
      `cdktf-xero secret stage ${spec.app.document} (the secret on stdin, never as an argument); 3) cdktf deploy`,
  );
  const output = (name: string): string => `data.terraform_remote_state.${status.friendlyUniqueId}.outputs.${name}`;
  // try(): before the first apply the status read has no rotated_at / next_due (""), and nothing is due.
  const before = (timestamp: string): string => `\${try(timecmp(plantimestamp(), ${timestamp}) < 0, true)}`;
  stack.addOverride(`check.${status.friendlyUniqueId}_secret_age`, {
    assert: [
      {
        condition: before(`timeadd(${output(RotationOutputs.names.rotatedAt)}, "${warnAfter}s")`),
        error_message: `cdktf-xero: the client secret of ${app} is past ${RotationPolicy.warnFraction * 100}% of its maxAge (rotated \${${output(RotationOutputs.names.rotatedAt)}}, due \${${output(RotationOutputs.names.nextDue)}}): ${steps}.`,
      },
      {
        condition: before(output(RotationOutputs.names.nextDue)),
        error_message: `cdktf-xero: the client secret of ${app} is overdue (due \${${output(RotationOutputs.names.nextDue)}}): ${steps}.`,
      },
    ],
  });
}

interface CheckedDuration {
  readonly seconds: number;
  /** How messages show it: `Duration.days(90)`. */
  readonly shown: string;
}

/** A Duration prop of whole seconds from `minimum` to the rotation's longest (contract/rotation.ts). */
function checkRotationDuration(field: string, value: unknown, fallback: Duration, minimum: number): FieldCheck<CheckedDuration> {
  const chosen = value ?? fallback;
  const example = fallback.toString();
  if (!(chosen instanceof Duration)) {
    return { value: { seconds: 0, shown: "" }, errors: [`${field} must be a Duration such as ${example}, got ${describeValue(chosen)}`], warnings: [] };
  }
  const problem = rotationSecondsProblem(chosen.toSeconds(), minimum);
  if (problem !== undefined) return { value: { seconds: 0, shown: "" }, errors: [`${field} ${problem}, got ${chosen}; e.g. ${example}`], warnings: [] };
  return { value: { seconds: chosen.toSeconds(), shown: chosen.toString() }, errors: [], warnings: [] };
}

/**
 * The rotation's first CURRENT is the app's declared secret. An app declared to read its secret
 * from this very rotation works once a current secret is recorded, but never on a first deploy.
 */
function checkFirstSecret(app: XeroAppRegistration): FieldCheck<undefined> {
  const secret = app.spec.clientSecret;
  const circular = secret?.source === "state" && secret.document === rotationDocumentFor(app.spec.document);
  return {
    value: undefined,
    errors: [],
    warnings: circular
      ? [
          `app ${app.node.path} takes its secret from this rotation's own document, so a first deploy has no secret to start from; declare the secret the app was created with (e.g. XeroSecret.fromEnv): the rotation records it as current, and the app's hooks use the current secret from then on`,
        ]
      : [],
  };
}

function checkOverdueAction(value: unknown): FieldCheck<XeroOverdueActionType> {
  if (value === undefined) return { value: "warn", errors: [], warnings: [] };
  if (typeof value === "string" && (OVERDUE_ACTIONS as readonly string[]).includes(value)) {
    return { value: value as XeroOverdueActionType, errors: [], warnings: [] };
  }
  return {
    value: "warn",
    errors: [`onOverdue must be "warn" or "fail" (XeroOverdueAction.WARN or .FAIL), got ${describeValue(value)}`],
    warnings: [],
  };
}

/** The rotation document sits next to the app's, so an explicit `state` must be the app's backend. */
function checkSameBackend(construct: Construct, value: unknown, appBackend: StateBackendAddress, appDocument: string, findings: Findings): void {
  if (value === undefined) return;
  if (!XeroState.isXeroState(value)) {
    findings.error(`state must be XeroState.local(dir) or XeroState.postgres({ schema }), got ${describeValue(value)}`);
    return;
  }
  const bound = value.bind(construct);
  if ("problem" in bound) {
    findings.error(`state ${bound.problem}`);
    return;
  }
  const chosen = formatBackendAddress(bound.address);
  const expected = formatBackendAddress(appBackend);
  if (chosen !== expected) {
    findings.error(
      `state must be the app's backend (${expected}), got ${chosen}: the rotation's document ${rotationDocumentFor(appDocument)} lives next to the app's; remove state`,
    );
  }
}
