/**
 * A browser for consent tests, in plain HTTP: it opens the authorize URL, reads the emulator's
 * consent page, posts its form as a person clicking would, and follows the redirect to the
 * client's redirect URI. No project client code is used.
 */

export interface FormBrowserChoices {
  /** Which button: "allow" (Allow access) or "deny" (Cancel). @default "allow" */
  readonly decision?: "allow" | "deny";
  /** Changes the authorize URL before it is opened (an attacker's or a stale tab's URL). */
  readonly rewriteUrl?: (url: URL) => void;
  /** Stops after the consent form and returns the redirect instead of following it (manual mode). */
  readonly followRedirect?: boolean;
}

export interface FormBrowser {
  /** The "open browser" function a consent flow takes. */
  readonly open: (url: string) => Promise<boolean>;
  /** Where the consent form sent the browser (the client's redirect URI with code or error). */
  readonly redirects: string[];
  /** Problems met on the way, so a test can show them instead of hanging. */
  readonly problems: string[];
}

const unescape = (text: string): string => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, "&");

/** The fields a person submits: hidden inputs, the selected user and the ticked organisations. */
export function consentFormFields(html: string, decision: "allow" | "deny"): { action: string; fields: URLSearchParams } {
  const action = /<form method="post" action="([^"]*)">/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no consent form in the page: ${html.slice(0, 300)}`);
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.append(match[1] ?? "", unescape(match[2] ?? ""));
  const selected = /<option value="([^"]+)" selected>/.exec(html)?.[1];
  if (selected !== undefined) fields.append("user_id", unescape(selected));
  for (const match of html.matchAll(/<input type="checkbox" name="tenant_id" value="([^"]+)" checked>/g)) fields.append("tenant_id", unescape(match[1] ?? ""));
  fields.append("decision", decision);
  return { action: unescape(action), fields };
}

export function formBrowser(choices: FormBrowserChoices = {}): FormBrowser {
  const redirects: string[] = [];
  const problems: string[] = [];
  const open = async (authorizeUrl: string): Promise<boolean> => {
    try {
      const url = new URL(authorizeUrl);
      choices.rewriteUrl?.(url);
      const page = await fetch(url, { redirect: "manual" });
      const html = await page.text();
      if (page.status !== 200) throw new Error(`authorize answered ${page.status}: ${html.slice(0, 300)}`);
      const { action, fields } = consentFormFields(html, choices.decision ?? "allow");
      const posted = await fetch(action, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields.toString(), redirect: "manual" });
      const location = posted.headers.get("location");
      if (posted.status !== 302 || location === null) throw new Error(`the consent form answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
      redirects.push(location);
      if (choices.followRedirect === false) return true;
      const landed = await fetch(location, { redirect: "manual" });
      await landed.text();
      if (landed.status !== 200) throw new Error(`the redirect URI answered ${landed.status}`);
      return true;
    } catch (error) {
      problems.push(String(error));
      return false;
    }
  };
  return { open, redirects, problems };
}
