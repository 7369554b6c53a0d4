import { AUTHORIZE_PARAMETERS } from "../authorize-rules";
import { escapeHtml } from "../http";
import type { App, Org, User } from "../state";

/** The HTML Xero's login site shows: an error page, and a consent page a test can post. */

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} | Xero (emulator)</title></head>
<body>
${body}
</body>
</html>
`;
}

export function errorPage(error: string, description: string): string {
  return page(
    "Error",
    `<h1>Sorry, something went wrong</h1>
<p>Error code: <code id="error">${escapeHtml(error)}</code></p>
<p id="error_description">${escapeHtml(description)}</p>`,
  );
}

/** The sign-in page a browser nobody is signed into lands on; the emulator signs in through its admin API. */
export function signInPage(returnUrl: string, adminConsentUrl: string): string {
  return page(
    "Log in",
    `<h1>Log in to Xero</h1>
<p>The emulator signs a user in with <code>POST ${escapeHtml(adminConsentUrl)}</code>; then open the request again.</p>
<p id="return_url">${escapeHtml(returnUrl)}</p>`,
  );
}

/** Where Xero sends the browser when an app is at its connection limit (Xero's wording). */
export function connectionLimitPage(appName: string | undefined): string {
  const who = appName === undefined ? "This app" : escapeHtml(appName);
  return page(
    "Connection limit reached",
    `<h1>Sorry! ${who} has reached their Xero connection limit</h1>
<p>Error code: <code id="error">connection_limit_reached</code></p>
<p id="error_description">Sorry! ${who} has reached their Xero connection limit, please let them know so they can connect more Xero organisations.</p>`,
  );
}

export function consentPage(input: {
  app: App;
  params: URLSearchParams;
  scopes: readonly string[];
  users: readonly User[];
  orgs: readonly Org[];
  signedInUserId: string | undefined;
  tickedTenantIds: readonly string[];
  consentUrl: string;
}): string {
  const hidden = AUTHORIZE_PARAMETERS.map((name) => {
    const value = input.params.get(name);
    return value === null ? "" : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  }).join("\n");
  const users = input.users
    .map((u) => `<option value="${escapeHtml(u.userId)}"${u.userId === input.signedInUserId ? " selected" : ""}>${escapeHtml(u.email)}</option>`)
    .join("\n");
  const orgs = input.orgs
    .map(
      (o) =>
        `<label><input type="checkbox" name="tenant_id" value="${escapeHtml(o.tenantId)}"${input.tickedTenantIds.includes(o.tenantId) ? " checked" : ""}> ${escapeHtml(o.name)} (${o.type})</label><br>`,
    )
    .join("\n");
  return page(
    "Allow access",
    `<h1>${escapeHtml(input.app.name)} wants access to your Xero data</h1>
<ul id="scopes">${input.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>
<form method="post" action="${escapeHtml(input.consentUrl)}">
${hidden}
<p><label>Signed in as <select name="user_id">${users}</select></label></p>
<fieldset><legend>Organisations</legend>
${orgs}
</fieldset>
<button type="submit" name="decision" value="allow">Allow access</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>`,
  );
}
