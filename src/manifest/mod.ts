/**
 * The run manifest in DynamoDB: which pipeline runs were processed, batch checks, and claims
 * for concurrent workers.
 *
 * @module
 */

export {
  type ClaimOptions,
  type ClaimResult,
  type CreateResult,
  type ManifestEntry,
  RunManifests,
  type RunManifestsOptions,
  type RunRecord,
} from "./run_manifests.ts";
