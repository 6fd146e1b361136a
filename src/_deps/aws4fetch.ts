/**
 * aws4fetch, pinned: its SigV4 signer (the transport in `src/aws/request.ts` is ours).
 *
 * @module
 */
export { AwsV4Signer } from "npm:aws4fetch@1.0.20";
