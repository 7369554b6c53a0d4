import { CdktfXeroError } from "../../errors";
import { describeApp, XERO_APP_MANAGEMENT_URL, type AppDescription } from "../runtime/errors";

/**
 * Why a rotation or a `secret stage` failed. Messages name the app, the rotation document and the
 * candidate by fingerprint or rotation id, never by value, and say what to do.
 */

/** The operator's steps to rotate a secret: printed when one is due, overdue, or rejected. */
export function portalSteps(app: AppDescription, appDocument: string, backendFlag: string): string {
  return (
    `1) at ${XERO_APP_MANAGEMENT_URL} open ${describeApp(app)} and generate another client secret (keep the current one ` +
    `until the rotation is deployed); 2) stage it: \`cdktf-xero secret stage ${appDocument}${backendFlag}\` with the secret on ` +
    `stdin (or --from-env NAME), never as an argument; 3) run cdktf deploy: the plan shows the rotation as a replacement`
  );
}

/** Xero rejected a candidate secret (`invalid_client`). */
export class RotationCandidateRejectedError extends CdktfXeroError {
  readonly code = "ROTATION_CANDIDATE_REJECTED";
  constructor(
    app: AppDescription,
    where: { readonly document: string; readonly rotationId?: string; readonly fingerprint?: string; readonly during: "stage" | "apply" },
    options: { cause?: unknown } = {},
  ) {
    const which =
      where.during === "stage"
        ? "the candidate secret"
        : `the staged candidate (rotation ${where.rotationId ?? "?"}, fingerprint ${where.fingerprint ?? "?"})`;
    const outcome =
      where.during === "stage"
        ? "nothing was written"
        : `CURRENT is unchanged and the candidate stays PENDING in "${where.document}"; stage the right secret to replace it`;
    super(
      `Xero rejected ${which} of ${describeApp(app)} with invalid_client. Check at ${XERO_APP_MANAGEMENT_URL} that it is ` +
        `a secret of client id ${app.clientId} that was generated for this app and not deleted since (copy it again: ` +
        `a stray space or a truncated paste is the usual cause); ${outcome}.`,
      {
        cause: options.cause,
        context: {
          appName: app.appName,
          clientId: app.clientId,
          document: where.document,
          rotationId: where.rotationId ?? null,
          fingerprint: where.fingerprint ?? null,
        },
      },
    );
  }
}

/** The secret is older than maxAge, nothing is staged, and the rotation says `onOverdue: "fail"`. */
export class RotationOverdueError extends CdktfXeroError {
  readonly code = "ROTATION_OVERDUE";
  constructor(app: AppDescription, document: string, detail: { ageDays: number; nextDue: string; steps: string }) {
    super(
      `the client secret of ${describeApp(app)} is overdue: ${detail.ageDays} days old, due since ${detail.nextDue} ` +
        `(rotation document "${document}", onOverdue: fail). Rotate it: ${detail.steps}.`,
      { context: { appName: app.appName, clientId: app.clientId, document, nextDue: detail.nextDue } },
    );
  }
}

/** No CURRENT, nothing staged, and the app's declared secret cannot serve as the first CURRENT. */
export class RotationNothingToBootstrapError extends CdktfXeroError {
  readonly code = "ROTATION_NO_SECRET";
  constructor(app: AppDescription, document: string, steps: string) {
    super(
      `${describeApp(app)} declares its secret as the CURRENT of its own rotation ("${document}"), which holds none yet. ` +
        `Stage the first secret: ${steps}.`,
      { context: { appName: app.appName, clientId: app.clientId, document } },
    );
  }
}

/** `secret stage` for an app whose document is missing, unapplied, or of a kind without a secret. */
export class RotationAppUnusableError extends CdktfXeroError {
  readonly code = "ROTATION_APP_UNUSABLE";
  constructor(appDocument: string, backend: string, problem: string, fix: string) {
    super(`cannot stage a secret for app document "${appDocument}" in ${backend}: ${problem}. ${fix}; nothing was written.`, {
      context: { document: appDocument, backend },
    });
  }
}

/**
 * `secret stage` for an app with no rotation document: no XeroSecretRotation names the app, or it
 * has not been deployed, so nothing would ever promote the staged secret.
 */
export class RotationNotDeclaredError extends CdktfXeroError {
  readonly code = "ROTATION_NOT_DECLARED";
  constructor(appDocument: string, rotationDocument: string, backend: string) {
    const id = `${appDocument.slice(appDocument.lastIndexOf("/") + 1)}Rotation`;
    super(
      `cannot stage a secret for app document "${appDocument}" in ${backend}: no XeroSecretRotation is deployed for it (its ` +
        `rotation document "${rotationDocument}" does not exist), so nothing would promote the secret. Declare one with the app ` +
        `as its app (new XeroSecretRotation(stack, "${id}", { app: <the XeroAppRegistration of ${appDocument}> })), run ` +
        `cdktf deploy (which creates that document), then stage again; nothing was written.`,
      { context: { document: appDocument, rotationDocument, backend } },
    );
  }
}

/**
 * Every pass of a rotation found its document changed under it: a writer that does not take the
 * document's lock keeps racing the hook. Each completed step stands; the one that lost was not written.
 */
export class RotationUnsettledError extends CdktfXeroError {
  readonly code = "ROTATION_UNSETTLED";
  constructor(readonly document: string, readonly passes: number) {
    super(
      `the rotation in "${document}" did not settle after ${passes} passes: each time, its compare-and-swap found the document ` +
        `changed by a writer that does not take the document's lock (not cdktf-xero's hooks or commands, which do). Find and stop ` +
        `that writer (\`cdktf-xero state history ${document}\` names who changed it), then run cdktf deploy again; every step ` +
        `completed so far stands, and CURRENT is unchanged by the step that lost.`,
      { context: { document, passes } },
    );
  }
}
