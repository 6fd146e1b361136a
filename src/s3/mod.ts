/**
 * S3: parse S3 URIs, list objects and run folders (skipping archived runs), and read the
 * enriched events of a run.
 *
 * @module
 */

export {
  parseS3ObjectUri,
  parseS3Uri,
  type S3Location,
  type S3LocationLike,
  type S3ObjectLocation,
} from "./uri.ts";
export { isRunFolder } from "./run_folder.ts";
export { listObjects, type ListObjectsOptions, type S3Object } from "./list_objects.ts";
export { ARCHIVED_STORAGE_CLASSES, listRunIds, type ListRunIdsOptions } from "./run_ids.ts";
export {
  isMarkerObject,
  readRun,
  type ReadRunOptions,
  type RunBadRowLine,
  type RunEventLine,
  type RunLine,
  type RunResult,
} from "./read_run.ts";
export { readObject, type ReadObjectOptions } from "./read_object.ts";
