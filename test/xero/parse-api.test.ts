import {
  XeroConnectionNotFoundError,
  XeroForbiddenError,
  XeroProtocolError,
  XeroRateLimitedError,
  XeroUnauthorizedError,
} from "../../providers/xero/errors";
import {
  parseApiProblem,
  parseConnectionsResponse,
  parseDeleteConnectionResponse,
  parseXeroTimestamp,
} from "../../providers/xero/parse-api";
import { apiContext, json } from "./helpers";

const connection = {
  id: "e1eede29-f875-4a5d-8470-17f6a29a88b1",
  authEventId: "d99ecdfe-391d-43d2-b834-17636ba90e8d",
  tenantId: "70784a63-d24b-46a9-a4db-0e70a274b056",
  tenantType: "ORGANISATION",
  tenantName: "Demo Company (AU)",
  createdDateUtc: "2019-07-09T23:40:30.1833130",
  updatedDateUtc: "2020-05-15T01:35:13.8491980",
};

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("parseConnectionsResponse", () => {
  it("reads Xero's connection objects as they are", () => {
    expect(parseConnectionsResponse(json(200, [connection]), apiContext())).toEqual([connection]);
  });

  it("reads an empty list (a Custom Connection not yet linked)", () => {
    expect(parseConnectionsResponse(json(200, []), apiContext())).toEqual([]);
  });

  it("rejects an entry missing tenantId, naming its index", () => {
    const { tenantId: _omitted, ...broken } = connection;
    expect(thrown(() => parseConnectionsResponse(json(200, [connection, broken]), apiContext())).message).toContain(
      "expected connection [1] with string id, authEventId, tenantId",
    );
  });

  it("rejects an object where an array belongs", () => {
    expect(thrown(() => parseConnectionsResponse(json(200, { connections: [] }), apiContext()))).toBeInstanceOf(XeroProtocolError);
  });

  it("maps 401 to XeroUnauthorizedError with Xero's PascalCase problem body", () => {
    const body = { Type: null, Title: "Unauthorized", Status: 401, Detail: "AuthenticationUnsuccessful", Instance: "c1a5", Extensions: {} };
    const error = thrown(() => parseConnectionsResponse(json(401, body), apiContext())) as XeroUnauthorizedError;
    expect(error).toBeInstanceOf(XeroUnauthorizedError);
    expect(error.code).toBe("XERO_UNAUTHORIZED");
    expect(error.problem).toEqual({ title: "Unauthorized", detail: "AuthenticationUnsuccessful", instance: "c1a5" });
    expect(error.message).toBe(
      "Xero refused the access token for GET /connections (HTTP 401: Unauthorized, AuthenticationUnsuccessful): it is " +
        "missing, expired (access tokens last 30 minutes) or revoked. Get a new access token and try again.",
    );
  });

  it("maps 403 to XeroForbiddenError with Xero's camelCase problem body", () => {
    const body = { title: "Forbidden", status: 403, detail: "AuthenticationUnsuccessful", instance: "f00" };
    const error = thrown(() => parseConnectionsResponse(json(403, body), apiContext())) as XeroForbiddenError;
    expect(error).toBeInstanceOf(XeroForbiddenError);
    expect(error.problem).toEqual({ title: "Forbidden", detail: "AuthenticationUnsuccessful", instance: "f00" });
  });

  it("maps 429 to XeroRateLimitedError", () => {
    expect(thrown(() => parseConnectionsResponse(json(429, "", { "retry-after": "5" }), apiContext()))).toBeInstanceOf(XeroRateLimitedError);
  });
});

describe("parseDeleteConnectionResponse", () => {
  const context = { ...apiContext("DELETE /connections/abc"), connectionId: "abc" };

  it("accepts 204 No Content", () => {
    expect(parseDeleteConnectionResponse({ status: 204, headers: {}, bodyText: "" }, context)).toBeUndefined();
  });

  it("maps 404 to XeroConnectionNotFoundError with advice about tenant ids", () => {
    const error = thrown(() => parseDeleteConnectionResponse(json(404, ""), context));
    expect(error).toBeInstanceOf(XeroConnectionNotFoundError);
    expect(error.message).toBe(
      'Xero has no connection abc for this access token (HTTP 404). It was already deleted, or the id is a tenant id: DELETE takes the connection\'s "id" from GET /connections.',
    );
  });
});

describe("parseApiProblem", () => {
  it("returns nothing for a body that is not an object", () => {
    expect(parseApiProblem("Unauthorized")).toEqual({});
  });
});

describe("parseXeroTimestamp", () => {
  it("reads seven fractional digits without a Z as UTC", () => {
    expect(parseXeroTimestamp("2019-12-07T18:46:19.5165400")).toEqual(new Date("2019-12-07T18:46:19.516Z"));
  });

  it("rejects a date-only value", () => {
    expect(parseXeroTimestamp("2019-12-07")).toBeUndefined();
  });
});
