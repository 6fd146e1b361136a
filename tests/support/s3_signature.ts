/**
 * An independent SigV4 verifier for the local S3 endpoint (test code). It rebuilds the
 * canonical request from what arrived on the wire with its own code (not aws4fetch), so a
 * wrong secret, region, service, date, signed header or payload hash is caught.
 */

/** One accepted access key. */
export interface SigV4Key {
  secretAccessKey: string;
  /** When set, requests must carry it as `x-amz-security-token` (and sign it). */
  sessionToken?: string;
}

/** The outcome of {@linkcode verifySigV4}: the access key id, or an S3-style rejection. */
export type SigV4Verdict =
  | { ok: true; accessKeyId: string }
  | { ok: false; status: number; code: string; message: string };

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** SHA-256 of text or bytes, as lower-case hex. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

async function hmac(key: Uint8Array | string, data: string): Promise<Uint8Array> {
  const raw = typeof key === "string" ? encoder.encode(key) : key;
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    raw as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)));
}

/** RFC 3986 encoding, as SigV4 wants it (only `A-Z a-z 0-9 - _ . ~` stay as they are). */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decodeQueryPart(part: string): string {
  return decodeURIComponent(part.replace(/\+/g, " "));
}

function reject(status: number, code: string, message: string): SigV4Verdict {
  return { ok: false, status, code, message };
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

/**
 * Verifies the SigV4 `Authorization` header of a request that arrived at a local server, the
 * way S3 answers: 403 `AccessDenied` (not signed), 403 `InvalidAccessKeyId`, 403
 * `RequestTimeTooSkewed` (with `now`, more than 15 minutes off), 400
 * `AuthorizationHeaderMalformed` (bad header, wrong region or service), 403 `InvalidToken`,
 * 400 `XAmzContentSHA256Mismatch` and 403 `SignatureDoesNotMatch`.
 */
export async function verifySigV4(
  request: Request,
  body: Uint8Array,
  options: {
    keys: ReadonlyMap<string, SigV4Key>;
    region: string;
    service: string;
    /** The `host` the client addressed (a proxy's), when it differs from what arrived. */
    host?: string;
    /** The server's time (epoch ms): requests signed more than 15 minutes away are refused. */
    now?: number;
  },
): Promise<SigV4Verdict> {
  const authorization = request.headers.get("authorization");
  if (authorization === null) return reject(403, "AccessDenied", "Access Denied");
  const match = AUTH.exec(authorization);
  if (match === null) {
    return reject(400, "AuthorizationHeaderMalformed", "The authorization header is malformed");
  }
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = match;
  const key = options.keys.get(accessKeyId);
  if (key === undefined) {
    return reject(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  }
  if (region !== options.region) {
    return reject(
      400,
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; the region '${region}' is wrong; expecting '${options.region}'`,
    );
  }
  if (service !== options.service) {
    return reject(
      400,
      "AuthorizationHeaderMalformed",
      `The authorization header is malformed; incorrect service "${service}"`,
    );
  }
  const amzDate = request.headers.get("x-amz-date") ?? "";
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== day) {
    return reject(
      403,
      "AccessDenied",
      "AWS authentication requires a valid Date or x-amz-date header",
    );
  }
  const signedAt = Date.UTC(
    Number(amzDate.slice(0, 4)),
    Number(amzDate.slice(4, 6)) - 1,
    Number(amzDate.slice(6, 8)),
    Number(amzDate.slice(9, 11)),
    Number(amzDate.slice(11, 13)),
    Number(amzDate.slice(13, 15)),
  );
  if (options.now !== undefined && Math.abs(options.now - signedAt) > 15 * 60_000) {
    return reject(
      403,
      "RequestTimeTooSkewed",
      "The difference between the request time and the current time is too large.",
    );
  }
  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) {
    return reject(
      400,
      "AuthorizationHeaderMalformed",
      "The authorization header must sign host and x-amz-date",
    );
  }
  const token = request.headers.get("x-amz-security-token");
  if ((key.sessionToken ?? null) !== token) {
    return reject(403, "InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
  if (token !== null && !signedHeaders.includes("x-amz-security-token")) {
    return reject(403, "AccessDenied", "x-amz-security-token must be signed");
  }
  const payloadHash = request.headers.get("x-amz-content-sha256");
  if (payloadHash === null) {
    return reject(
      400,
      "InvalidRequest",
      "Missing required header for this request: x-amz-content-sha256",
    );
  }
  if (payloadHash !== "UNSIGNED-PAYLOAD") {
    if (!/^[0-9a-f]{64}$/.test(payloadHash)) {
      return reject(
        400,
        "InvalidArgument",
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a hash",
      );
    }
    if (payloadHash !== await sha256Hex(body)) {
      return reject(
        400,
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
  }

  const url = new URL(request.url);
  const canonicalUri = url.pathname.split("/").map((s) => rfc3986(decodeURIComponent(s))).join(
    "/",
  );
  const query = url.search.length > 1 ? url.search.slice(1).split("&") : [];
  const canonicalQuery = query
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? "" : pair.slice(eq + 1);
      return [rfc3986(decodeQueryPart(name)), rfc3986(decodeQueryPart(value))];
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((name) => {
      const value = name === "host" && options.host !== undefined
        ? options.host
        : request.headers.get(name) ?? "";
      return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const canonicalRequest = [
    request.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaderList,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    await sha256Hex(canonicalRequest),
  ].join("\n");
  let signingKey = await hmac(`AWS4${key.secretAccessKey}`, day);
  for (const part of [region, service, "aws4_request"]) signingKey = await hmac(signingKey, part);
  const expected = hex((await hmac(signingKey, stringToSign)).buffer as ArrayBuffer);
  if (expected !== signature) {
    return reject(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }
  return { ok: true, accessKeyId };
}
