/**
 * The option checks and the request guards of fromIngest() (private helper).
 *
 * @module
 */
import type { FromIngestOptions } from "./from_ingest.ts";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Validates fromIngest()'s options when it is called. */
export function checkIngestOptions(options: FromIngestOptions): void {
  const { hostname = "127.0.0.1", port = 0, token, allowUnauthenticated = false } = options;
  const { maxBodyBytes = 1, headerTimeout = 1, idleTimeout = 1, allowOrigins = [] } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot create fromIngest() as 'port' must be an integer in [0, 65535]: current value is ${port}`,
    );
  }
  for (
    const [name, value] of [["maxBodyBytes", maxBodyBytes], ["headerTimeout", headerTimeout], [
      "idleTimeout",
      idleTimeout,
    ]] as const
  ) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(
        `Cannot create fromIngest() as '${name}' must be an integer >= 1: current value is ${value}`,
      );
    }
  }
  if (token !== undefined && (typeof token !== "string" || token.length === 0)) {
    throw new TypeError(
      `Cannot create fromIngest() as 'token' must be a non-empty string: current value is ${token}`,
    );
  }
  if (!Array.isArray(allowOrigins) || !allowOrigins.every((o) => typeof o === "string")) {
    throw new TypeError(
      `Cannot create fromIngest() as 'allowOrigins' must be an array of strings: current value is ${allowOrigins}`,
    );
  }
  if (!LOOPBACK.has(hostname) && token === undefined && !allowUnauthenticated) {
    throw new RangeError(
      `Cannot create fromIngest() as listening beyond loopback needs a 'token' (or allowUnauthenticated: true): current hostname is ${hostname}`,
    );
  }
}

/** The answer refusing `request` (401 without the bearer token, 403 for a foreign Origin), or null. */
export function refuse(
  request: Request,
  token: string | undefined,
  allowOrigins: readonly string[],
): Response | null {
  const origin = request.headers.get("origin");
  if (origin !== null && !allowOrigins.includes(origin)) {
    return new Response(`origin ${origin} is not allowed\n`, { status: 403 });
  }
  if (token !== undefined && !sameText(request.headers.get("authorization") ?? "", `Bearer ${token}`)) {
    return new Response("a bearer token is required\n", {
      status: 401,
      headers: { "WWW-Authenticate": 'Bearer realm="ingest"' },
    });
  }
  return null;
}

/** Compares two strings in a time that depends on their lengths only. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.charCodeAt(i) | 0) ^ b.charCodeAt(i);
  return diff === 0;
}
