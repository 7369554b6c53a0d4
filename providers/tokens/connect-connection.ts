import * as path from "node:path";
import { ConnectionOutputs, type OAuthConnectionSpec } from "../../contract/connection";
import { CommonOutputs } from "../../contract/document-codec";
import { formatBackendAddress, type StateBackendAddress } from "../../contract/state-address";
import { systemClock, type Clock } from "../clock";
import { ConfigError } from "../errors";
import { storeConsent } from "../lifecycle/connection/consent-record";
import { findProjectRoot } from "../lifecycle/runtime/find-project-root";
import type { StateBackend } from "../state";
import { openStateBackend } from "../state/open";
import { runConsentFlow, type ConsentResult } from "../xero/consent-flow";
import { withAppSecret } from "./app-secret";
import { TokenDocumentRetiredError, type TokenSetLocation } from "./errors";
import { recordedDeclaration } from "./get-access-token";

/**
 * `cdktf-xero connect`: one person's consent to a declared connection, stored as its document's
 * only token set (consent-record.ts). The declaration comes from the document (what the last
 * connect or apply recorded) or, before either, from the synthesized stacks; the app's secret is
 * resolved the hooks' way (a rotation's CURRENT first). Nothing here prints or returns a token.
 */

export interface ConnectInput {
  readonly document: string;
  readonly backend: StateBackendAddress;
  /** How messages name the backend. @default `--backend <address>` */
  readonly backendFlag?: string;
  /** `manual`: the person pastes the URL they were redirected to. @default "loopback" */
  readonly mode?: "loopback" | "manual";
  /** Listen on the app's loopback redirect URI on this port. @default its first loopback redirect URI */
  readonly port?: number;
}

export interface ConnectDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** @default the nearest directory at or above `cwd` with cdktf.json */
  readonly projectRoot?: string;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Lines for the person: the URL, what to do, what was stored. */
  readonly output: (line: string) => void;
  /** Warnings. */
  readonly stderr: { write(text: string): void };
  /** Opens the URL in a browser; undefined: only print it. */
  readonly openBrowser?: (url: string) => Promise<boolean>;
  /** Manual mode: the pasted redirect URL. */
  readonly input?: () => Promise<string>;
  /** How long to wait for the browser's redirect. @default 10 minutes */
  readonly timeoutMs?: number;
}

export interface ConnectOutcome {
  readonly document: string;
  readonly userEmail: string;
  readonly userName: string;
  readonly tenants: ReadonlyArray<{ readonly tenantId: string; readonly tenantName: string }>;
  readonly grantedScopes: readonly string[];
  /** The document's generation after the consent (bumped: the next plan runs the connection's hook). */
  readonly generation: number;
  /** Where the declaration came from. */
  readonly declaredIn: "document" | "cdktf.out";
}

export async function connectConnection(input: ConnectInput, deps: ConnectDeps): Promise<ConnectOutcome> {
  const clock = deps.clock ?? systemClock;
  const projectRoot = deps.projectRoot ?? findProjectRoot(deps.cwd);
  const backend = await openStateBackend(input.backend, {
    env: deps.env,
    cwd: deps.cwd,
    projectRoot,
    clock,
    createIfMissing: false,
    logger: { warn: (message) => deps.stderr.write(`cdktf-xero: warning: ${message}\n`) },
  });
  try {
    const location: TokenSetLocation = { document: input.document, backendFlag: input.backendFlag ?? `--backend ${formatBackendAddress(input.backend)}` };
    const { spec, declaredIn } = await declarationFor(backend, location, projectRoot, path.resolve(deps.cwd));
    const consent = await consentTo(spec, input, { ...deps, clock, projectRoot });
    const stored = await storeConsent(backend, spec, consent, clock.now());
    const identity = consent.identity;
    return {
      document: input.document,
      userEmail: identity.email ?? identity.preferredUsername ?? "",
      userName: [identity.givenName, identity.familyName].filter((part) => part !== undefined && part !== "").join(" "),
      tenants: consent.tenants.map((tenant) => ({ tenantId: tenant.tenantId, tenantName: tenant.tenantName })),
      grantedScopes: consent.tokens.scopes,
      generation: CommonOutputs.decode(stored.values).generation ?? 0,
      declaredIn,
    };
  } finally {
    await backend.close();
  }
}

/** The declaration the document records, else the one in the synthesized stacks. */
async function declarationFor(
  backend: StateBackend,
  location: TokenSetLocation,
  projectRoot: string,
  cwd: string,
): Promise<{ spec: OAuthConnectionSpec; declaredIn: ConnectOutcome["declaredIn"] }> {
  const stored = await backend.read(location.document);
  if (stored !== undefined && CommonOutputs.decode(stored.values).retired === true) throw new TokenDocumentRetiredError(location.document, backend.label);
  const recorded = ConnectionOutputs.decode(stored?.values).declaration;
  if (stored !== undefined && recorded !== undefined && recorded !== "") {
    return { spec: recordedDeclaration(stored, location), declaredIn: "document" };
  }
  const { readSynthesizedSpecs } = require("../drift/synthesized-specs") as typeof import("../drift/synthesized-specs");
  const { DriftNothingToCheckError } = require("../drift/errors") as typeof import("../drift/errors");
  const notDeclared = (problem: string, cause?: unknown): ConfigError =>
    new ConfigError(
      `state document "${location.document}" records no declaration yet and ${problem}: run \`cdktf synth\` in the project (${projectRoot}) ` +
        `that declares the XeroOAuthConnection, then connect again; nothing was done`,
      { context: { document: location.document }, ...(cause === undefined ? {} : { cause }) },
    );
  let synthesized;
  try {
    synthesized = await readSynthesizedSpecs(projectRoot, []);
  } catch (error) {
    if (error instanceof DriftNothingToCheckError) throw notDeclared("there are no synthesized stacks", error);
    throw error;
  }
  const found = synthesized.find((candidate) => candidate.spec.document === location.document);
  if (found === undefined) throw notDeclared("no synthesized stack declares it");
  if (found.spec.kind !== "oauth_connection") {
    throw new ConfigError(
      `state document "${location.document}" is declared as a ${found.spec.kind}, not a XeroOAuthConnection: only a connection to a Web or PKCE app is consented to; nothing was done`,
      { context: { document: location.document } },
    );
  }
  // A consent stored where the hooks do not look would be lost to them: the declared backend must be this one.
  const declared = found.spec.backend;
  const given = backend.address;
  const same =
    declared.type === "local" && given.type === "local"
      ? path.resolve(found.stackDirectory, declared.dir) === path.resolve(cwd, given.dir)
      : declared.type === "pg" && given.type === "pg" && declared.schema === given.schema;
  if (!same) {
    const where = declared.type === "local" ? `local:${path.relative(cwd, path.resolve(found.stackDirectory, declared.dir)) || "."}` : `pg:${declared.schema}`;
    throw new ConfigError(
      `state document "${location.document}" is declared in backend ${where}, not in ${backend.label}: run \`cdktf-xero connect ${location.document} --backend ${where}\`; nothing was done`,
      { context: { document: location.document } },
    );
  }
  return { spec: found.spec, declaredIn: "cdktf.out" };
}

/** Runs the consent flow for the declared app, with a Web app's secret resolved for the code exchange only. */
async function consentTo(spec: OAuthConnectionSpec, input: ConnectInput, deps: ConnectDeps & { clock: Clock; projectRoot: string }): Promise<ConsentResult> {
  const run = (clientSecret: string | undefined): Promise<ConsentResult> =>
    runConsentFlow({
      app: { clientId: spec.app.clientId, ...(clientSecret === undefined ? {} : { clientSecret }), redirectUris: spec.app.redirectUris },
      scopes: spec.scopes,
      mode: input.mode ?? "loopback",
      ...(input.port === undefined ? {} : { port: input.port }),
      ...(deps.openBrowser === undefined ? {} : { openBrowser: deps.openBrowser }),
      output: deps.output,
      ...(deps.input === undefined ? {} : { input: deps.input }),
      ...(deps.timeoutMs === undefined ? {} : { timeoutMs: deps.timeoutMs }),
      client: { env: deps.env, clock: deps.clock },
    });
  const reference = spec.app.clientSecret;
  if (reference === undefined) return run(undefined);
  return withAppSecret(
    {
      app: { appName: spec.app.appName, clientId: spec.app.clientId, appKind: spec.app.appKind },
      appDocument: spec.app.document,
      backend: spec.app.backend,
      clientSecret: reference,
      declaredIn: spec.document,
    },
    { env: deps.env, projectRoot: deps.projectRoot, clock: deps.clock, stderr: deps.stderr },
    (secret) => run(secret),
  );
}
