/**
 * The bundle's entry point: a Worker module whose only export is the self-test's fetch
 * handler (workerd treats every named export of a Worker as an entry point).
 *
 * @module
 */
export { selfTestHandler as default } from "./selftest.ts";
