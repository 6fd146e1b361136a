/**
 * csv-stringify, pinned: the CSV output of the command line's `transform --format csv`.
 *
 * @module
 */
export { stringify } from "npm:csv-stringify@6.9.0/sync";
