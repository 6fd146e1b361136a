/**
 * `transform --format parquet`: every input's events into one Parquet file (`--output`).
 *
 * @module
 */

import {
  type BadRow,
  EventStream,
  type EventStreamOptions,
  StreamReadError,
  type StreamStats,
} from "../stream/mod.ts";
import { EXIT } from "./exit_codes.ts";
import type { Progress } from "./progress.ts";
import { parquetErrorJson, writeParquetFile, writeStreamFile } from "./whole_file.ts";
import { ParquetStream } from "../parquet/mod.ts";
import { messageOf } from "../_error_message.ts";

/** What `transform` was asked for, as far as Parquet output goes. */
export interface ParquetSettings {
  files: string[];
  streamOptions: EventStreamOptions;
  fields?: string[];
  outputPath?: string;
}

/** Why an input or the output failed: the message, the exit status, and whether it was opened. */
export interface ParquetFailure {
  message: string;
  status: number;
  opened: boolean;
}

/** What `transform` lends the Parquet output: opening inputs, bad rows, progress, errors. */
export interface ParquetHooks {
  open(file: string): Promise<
    | { source: ReadableStream<Uint8Array>; size?: number; threaded?: { compressed: number } }
    | ParquetFailure
  >;
  badRow(file: string, row: BadRow): Promise<void>;
  badLine(line: string): Promise<void>;
  progress: Progress;
  statusOf(error: unknown): number;
  isIoError(error: unknown): boolean;
}

const READ_FAILED = { status: EXIT.ioError, opened: true } as const;

/** An input that could not be read: ends the Parquet events, so no file is published. */
class InputFailure extends Error {
  constructor(readonly failure: ParquetFailure) {
    super(failure.message);
  }
}

/**
 * Every input's events into one Parquet file (`--output`), bad rows as usual. An event the
 * file cannot hold (an int beyond INT32, a timestamp finer than microseconds) becomes a bad row
 * `{"file","line","event","error":{"type":"ParquetUnwritable","message"}}`. Returns a message
 * when an input or the output failed; the file is then not written.
 *
 * The TSV goes straight into the columns (`ParquetStream`); with `--fields`, events are read as
 * objects and only those keys kept.
 */
export function transformToParquet(
  settings: ParquetSettings,
  hooks: ParquetHooks,
): Promise<ParquetFailure | undefined> {
  return settings.fields === undefined
    ? tsvToParquet(settings, hooks)
    : eventsToParquet(settings, hooks);
}

/** The inputs' TSV into one Parquet file through `ParquetStream`. */
async function tsvToParquet(
  settings: ParquetSettings,
  hooks: ParquetHooks,
): Promise<ParquetFailure | undefined> {
  const where = {
    file: "",
    size: undefined as number | undefined,
    threaded: undefined as { compressed: number } | undefined,
    counted: true,
  };
  // A gzip file decompressed on the gunzip thread comes as plain text: its counters say so.
  const stats = (): StreamStats => {
    const threaded = where.threaded;
    return threaded === undefined
      ? parquet.stats
      : { ...parquet.stats, gzip: true, sourceBytes: threaded.compressed };
  };
  const pending: Promise<void>[] = [];
  let unwritable = 0;
  // Each input's counters go to the totals once it has been read (or has failed).
  const count = () => {
    if (!where.counted) hooks.progress.add(stats());
    where.counted = true;
  };
  async function* sources(): AsyncGenerator<ReadableStream<Uint8Array>> {
    for (const file of settings.files) {
      count();
      const input = await hooks.open(file);
      if (!("source" in input)) throw new InputFailure(input);
      where.file = file;
      where.size = input.size;
      where.threaded = input.threaded;
      where.counted = false;
      yield input.source;
    }
  }
  const parquet: ParquetStream = new ParquetStream(sources(), {
    ...settings.streamOptions,
    onBadRow: (row) => hooks.badRow(where.file, row),
    onInvalid(event, error, line) {
      unwritable++;
      const row = { file: where.file, line, event, error: parquetErrorJson(error) };
      pending.push(hooks.badLine(`${JSON.stringify(row)}\n`));
    },
  });
  try {
    await writeStreamFile(settings.outputPath!, parquet, async () => {
      if (pending.length > 0) await Promise.all(pending.splice(0));
      await hooks.progress.tick(stats(), where.file, where.size);
    });
    await Promise.all(pending);
    return undefined;
  } catch (error) {
    await Promise.all(pending).catch(() => {});
    if (error instanceof InputFailure) return error.failure;
    if (error instanceof StreamReadError) {
      return { message: `${where.file}: ${error.message}`, ...READ_FAILED };
    }
    return outputFailure(settings, hooks, error);
  } finally {
    count();
    hooks.progress.totals.badRows += unwritable;
  }
}

/** The output could not be written: why, or the error again when it is not an I/O error. */
function outputFailure(
  settings: ParquetSettings,
  hooks: ParquetHooks,
  error: unknown,
): ParquetFailure {
  if (error instanceof Deno.errors.BrokenPipe || !hooks.isIoError(error)) throw error;
  const message = `${settings.outputPath}: ${messageOf(error)}`;
  return { message, status: hooks.statusOf(error), opened: true };
}

/** The inputs' events as objects (only `--fields`) into one Parquet file. */
async function eventsToParquet(
  settings: ParquetSettings,
  hooks: ParquetHooks,
): Promise<ParquetFailure | undefined> {
  const where = { file: "", line: 0 };
  const pending: Promise<void>[] = [];
  let unwritable = 0;
  const onInvalid = (event: Record<string, unknown>, error: TypeError | RangeError) => {
    unwritable++;
    const row = { file: where.file, line: where.line, event, error: parquetErrorJson(error) };
    pending.push(hooks.badLine(`${JSON.stringify(row)}\n`));
  };
  async function* events(): AsyncGenerator<Record<string, unknown>> {
    for (const file of settings.files) {
      const input = await hooks.open(file);
      if (!("source" in input)) throw new InputFailure(input);
      const stream = new EventStream(input.source, settings.streamOptions);
      where.file = file;
      try {
        for await (const result of stream) {
          if (result.badRow) {
            await hooks.badRow(file, result.badRow);
            continue;
          }
          where.line = result.line;
          yield settings.fields ? pick(result.event, settings.fields) : result.event;
          if (pending.length > 0) await Promise.all(pending.splice(0));
          if (stream.stats.events % 1000 === 0) {
            await hooks.progress.tick(stream.stats, file, input.size);
          }
        }
      } catch (error) {
        if (error instanceof StreamReadError) {
          throw new InputFailure({ message: `${file}: ${error.message}`, ...READ_FAILED });
        }
        throw error;
      } finally {
        hooks.progress.add(stream.stats);
      }
    }
  }
  try {
    await writeParquetFile(settings.outputPath!, events(), {
      columns: settings.fields,
      onInvalid,
    });
    await Promise.all(pending);
    return undefined;
  } catch (error) {
    await Promise.all(pending).catch(() => {});
    if (error instanceof InputFailure) return error.failure;
    return outputFailure(settings, hooks, error);
  } finally {
    hooks.progress.totals.events -= unwritable;
    hooks.progress.totals.badRows += unwritable;
  }
}

/** Only `fields` of an event, in that order (missing ones left out). */
function pick(event: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const f of fields) if (f in event) picked[f] = event[f];
  return picked;
}
