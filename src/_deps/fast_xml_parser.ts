/**
 * fast-xml-parser, pinned: parses S3's XML bodies (`src/aws/xml.ts`).
 *
 * @module
 */
export { XMLParser } from "npm:fast-xml-parser@5.12.1";
