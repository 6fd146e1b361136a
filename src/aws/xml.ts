import { XMLParser } from "../_deps/fast_xml_parser.ts";
import { S3Error } from "./error.ts";

/** Options of {@linkcode parseAwsXml}. */
export interface ParseAwsXmlOptions {
  /** The operation named in errors, e.g. `ListObjectsV2`. */
  operation: string;
  /**
   * The HTTP status named in errors.
   * @default {200}
   */
  status?: number;
  /** The request id named in errors. */
  requestId?: string;
  /**
   * Element names that are always arrays, even when there is only one (e.g. `Contents`).
   * @default {[]}
   */
  arrays?: readonly string[];
}

/** A parsed XML element: text values stay strings (no number or boolean conversion). */
export type XmlNode = { [name: string]: XmlValue };
/** A parsed XML value. */
export type XmlValue = string | XmlNode | XmlValue[];

/**
 * Parses an S3 XML body safely with fast-xml-parser, keeping every value a string. A body
 * with a DOCTYPE or an entity declaration is refused (never expanded), and a body that is not
 * well-formed XML is refused too: both throw an {@linkcode S3Error} with code
 * `InvalidResponse` naming the operation.
 *
 * @throws {S3Error} With code `InvalidResponse` for refused or malformed XML.
 *
 * @example Parse a listing and refuse entities
 * ```ts
 * import { parseAwsXml, S3Error } from "@snowplow/analytics-sdk/aws";
 * import assert from "node:assert/strict";
 *
 * const doc = parseAwsXml(
 *   "<ListBucketResult><KeyCount>007</KeyCount><Contents><Key>a</Key></Contents></ListBucketResult>",
 *   { operation: "ListObjectsV2", arrays: ["Contents"] },
 * );
 * assert.deepEqual(doc, { ListBucketResult: { KeyCount: "007", Contents: [{ Key: "a" }] } });
 * assert.throws(
 *   () => parseAwsXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', { operation: "GetObject" }),
 *   (e: unknown) => e instanceof S3Error && e.code === "InvalidResponse",
 * );
 * ```
 */
export function parseAwsXml(text: string, options: ParseAwsXmlOptions): XmlNode {
  const fail = (why: string, cause?: unknown): S3Error =>
    new S3Error({
      operation: options.operation,
      code: "InvalidResponse",
      status: options.status ?? 200,
      message: why,
      requestId: options.requestId,
      retryable: false,
      cause,
    });
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw fail("refused an XML body with a DOCTYPE or entity declaration");
  }
  const arrays = new Set(options.arrays ?? []);
  const parser = new XMLParser({
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreAttributes: true,
    ignoreDeclaration: true,
    processEntities: true,
    htmlEntities: false,
    isArray: (name: string) => arrays.has(name),
  });
  let parsed: unknown;
  try {
    parsed = parser.parse(text, true);
  } catch (error) {
    throw fail("the body is not well-formed XML", error);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw fail("the body is not an XML document");
  }
  const root = parsed as XmlNode;
  if (Object.keys(root).length === 0) throw fail("the body is not an XML document");
  return root;
}
