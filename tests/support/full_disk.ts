/**
 * Full disks for tests: a small tmpfs (`mount -t tmpfs -o size=…` on a new temporary folder,
 * which needs root or a user namespace that allows it), unmounted and removed on dispose, and
 * whether `/dev/full` exists.
 *
 * @module
 */

/** A mounted tmpfs; `await using` unmounts it. */
export interface Tmpfs extends AsyncDisposable {
  /** Where it is mounted. */
  dir: string;
}

/**
 * Mounts a tmpfs of `size` (such as `"256k"`) on a new temporary folder. Returns the reason
 * as a string when mounting is impossible here (not root, no `mount`, a sandbox), so that the
 * test can skip with a clear message.
 */
export async function mountTmpfs(size: string): Promise<Tmpfs | string> {
  const dir = await Deno.makeTempDir({ prefix: "full_disk_" });
  const remove = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (error) {
    await remove();
    return `cannot run mount: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (!result.success) {
    await remove();
    return `mount -t tmpfs failed: ${new TextDecoder().decode(result.stderr).trim()}`;
  }
  return {
    dir,
    async [Symbol.asyncDispose]() {
      const umount = await new Deno.Command("umount", { args: [dir], stderr: "piped" }).output();
      if (!umount.success) {
        throw new Error(`umount ${dir}: ${new TextDecoder().decode(umount.stderr).trim()}`);
      }
      await remove();
    },
  };
}

/** Why a tmpfs cannot be mounted here, or `undefined` when it can (mounts and unmounts one). */
async function tmpfsUnavailable(): Promise<string | undefined> {
  const probe = await mountTmpfs("64k");
  if (typeof probe === "string") return probe;
  await probe[Symbol.asyncDispose]();
  return undefined;
}

/** Why the tmpfs tests are skipped here (said once on stderr), or `undefined`. */
export const NO_TMPFS: string | undefined = await tmpfsUnavailable();
if (NO_TMPFS !== undefined) console.warn(`full-disk tests skipped: ${NO_TMPFS}`);

/** Whether `/dev/full` (where every write fails with ENOSPC) exists. */
export const HAS_DEV_FULL: boolean = await Deno.stat("/dev/full").then(() => true, () => false);

/** A tmpfs of `size` that must be mountable (use with `ignore: NO_TMPFS !== undefined`). */
export async function requireTmpfs(size: string): Promise<Tmpfs> {
  const mounted = await mountTmpfs(size);
  if (typeof mounted === "string") throw new Error(mounted);
  return mounted;
}

/** Fills the file system of `dir` to the last byte (a file `filler` in it). */
export async function fill(dir: string): Promise<void> {
  const file = await Deno.open(`${dir}/filler`, { write: true, create: true });
  const block = new Uint8Array(4096);
  try {
    for (;;) await file.write(block);
  } catch (error) {
    if (!(error instanceof Error && /No space left/.test(error.message))) throw error;
  } finally {
    file.close();
  }
}
