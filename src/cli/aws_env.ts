/**
 * What the AWS commands (`runs list`, `manifest …`, `process`) share: AWS options from the
 * standard environment variables and `--endpoint`, and one clear line for AWS failures.
 *
 * @module
 */

import {
  AwsError,
  type AwsOptions,
  awsOptionsFromEnv,
  type AwsService,
  serviceEndpoint,
} from "../aws/mod.ts";
import { PROGRAM } from "./args.ts";
import { type CliIo, type ParsedArgs, UsageError } from "./command.ts";
import { EXIT } from "./exit_codes.ts";

/** The exit status of an AWS failure (refused, unreachable, throttled past the retries). */
export const EXIT_AWS: number = EXIT.aws;

/**
 * `--idle-timeout` as AWS options to spread into the others: `{ idleTimeoutMs }`, or `{}` when
 * the flag is not given.
 */
export function idleTimeoutArgument(args: ParsedArgs): { idleTimeoutMs?: number } {
  const text = args.string("idle-timeout");
  if (text === undefined) return {};
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0) || !Number.isFinite(seconds)) {
    throw new UsageError(
      `Invalid --idle-timeout: expected a positive number of seconds but got '${text}'`,
    );
  }
  return { idleTimeoutMs: seconds * 1000 };
}

/** This process's environment; without `--allow-env` a usage error that says so. */
function processEnv(): Record<string, string | undefined> {
  try {
    return Deno.env.toObject();
  } catch (error) {
    if (
      !(error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied)
    ) {
      throw error;
    }
    throw new Deno.errors.NotCapable(
      "Cannot read AWS credentials from the environment without --allow-env: " +
        "run deno with --allow-env --allow-net (or -A)",
    );
  }
}

/**
 * AWS options for `service` from the environment (this process's by default), with `endpoint`
 * (a flag's value) taking precedence. Missing credentials, a credential that cannot be sent in
 * a header (a line break or NUL: the variable is named, never its value) or a malformed
 * endpoint are usage errors.
 */
export function awsOptionsFor(
  service: AwsService,
  endpoint: string | undefined,
  env: Record<string, string | undefined> = processEnv(),
): AwsOptions {
  let options: AwsOptions;
  try {
    options = awsOptionsFromEnv(env, service);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new UsageError(
      /^Cannot build AWS options: /.test(error.message)
        ? `${error.message} (set AWS credentials in the environment: ` +
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
        : error.message,
    );
  }
  if (endpoint !== undefined) options = { ...options, endpoint };
  try {
    serviceEndpoint(service, options);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new UsageError(error.message);
    }
    throw error;
  }
  return options;
}

const HINTS: Record<string, string> = {
  ResourceNotFoundException: "does the table exist? create it with 'manifest create TABLE'",
  SignatureDoesNotMatch: "check AWS_SECRET_ACCESS_KEY",
  InvalidAccessKeyId: "check AWS_ACCESS_KEY_ID",
  UnrecognizedClientException: "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
  NoSuchBucket: "check the bucket name in the S3 URI",
  NetworkError: "check the endpoint and the network",
  RequestTimeout: "the endpoint stopped answering; check it, or raise --idle-timeout",
  RequestTimeTooSkewed: "check this machine's clock",
};

/** Whether `error` is an AWS failure that {@linkcode reportAwsError} describes. */
export function isAwsError(error: unknown): error is AwsError {
  return error instanceof AwsError;
}

/**
 * Writes one line for an AWS failure (its code, HTTP status and request id, never
 * credentials) and returns {@linkcode EXIT_AWS}.
 */
export async function reportAwsError(
  io: CliIo,
  command: string,
  error: AwsError,
): Promise<number> {
  if (error.cause instanceof Deno.errors.NotCapable) {
    await io.stderr.write(`${PROGRAM} ${command}: ${error.cause.message}\n`);
    return EXIT.permission;
  }
  const hint = HINTS[error.code];
  const text = error.message.replace(/\s+/g, " ").trim();
  await io.stderr.write(`${PROGRAM} ${command}: ${text}${hint ? ` (${hint})` : ""}\n`);
  return EXIT_AWS;
}
