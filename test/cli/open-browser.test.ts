import { openInBrowser } from "../../cli/commands/connect";

describe("opening the consent URL in a browser", () => {
  it("opens nothing on Linux without a desktop (no DISPLAY or WAYLAND_DISPLAY), so connect only prints the URL", async () => {
    expect(await openInBrowser("http://127.0.0.1:1/login/identity/connect/authorize", "linux", {})).toBe(false);
  });
});
