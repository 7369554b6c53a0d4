import * as os from "node:os";
import { currentActor, lazyCurrentActor } from "../../providers/state/history";

/** providers/state/history.ts: the actor a backend records, looked up only when first asked. */

describe("the current process as an actor", () => {
  it("is user@host, the host and this process's pid", () => {
    const actor = currentActor();
    expect(actor.host).toBe(os.hostname());
    expect(actor.user.endsWith(`@${os.hostname()}`)).toBe(true);
    expect(actor.pid).toBe(process.pid);
  });

  it("reads, spreads and serializes the same when looked up lazily", () => {
    const lazy = lazyCurrentActor();
    expect({ ...lazy }).toEqual(currentActor());
    expect(JSON.parse(JSON.stringify(lazy))).toEqual(currentActor());
    expect(lazy.user).toBe(currentActor().user);
  });
});
