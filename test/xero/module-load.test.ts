describe("module loading", () => {
  it("loads the client without jose, which only token verification needs", () => {
    jest.isolateModules(() => {
      jest.doMock("jose", () => {
        throw new Error("jose was loaded by merely importing providers/xero");
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const xero = require("../../providers/xero") as typeof import("../../providers/xero");
      expect(typeof xero.XeroClient).toBe("function");
    });
  });
});
