/**
 * A script outside the project imports `mod.ts` by path, as from a clone, without the project's
 * deno.json (`--no-config`): it type-checks, runs, and sees typed fields.
 */
import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../support/runtime.ts";

const SCRIPT = `import { type FlatEvent, transform } from "${PROJECT_ROOT}mod.ts";

const fields: string[] = Array(131).fill("");
fields[0] = "shop"; // app_id
fields[93] = "1"; // br_cookies
fields[95] = "1024"; // br_viewwidth
const event: FlatEvent = transform(fields.join("\\t"));
const width: number | undefined = event.br_viewwidth;
const cookies: boolean | undefined = event.br_cookies;
// @ts-expect-error br_viewwidth is a number, not a string
const notText: string | undefined = event.br_viewwidth;
// @ts-expect-error no such field
event.br_view_width;
console.log(JSON.stringify({ width, cookies, notText: typeof notText, app: event.app_id }));
`;

async function denoIn(cwd: string, args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

Deno.test("a script outside the project imports mod.ts by path with --no-config", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "import-by-path-" });
  try {
    assert.ok(!dir.startsWith(PROJECT_ROOT));
    await Deno.writeTextFile(`${dir}/use.ts`, SCRIPT);
    await t.step("deno check --no-config passes, br_viewwidth is a number", async () => {
      const result = await denoIn(dir, ["check", "--no-config", "--quiet", "use.ts"]);
      assert.equal(result.code, 0, result.stderr);
    });
    await t.step("deno run --no-config runs it", async () => {
      const result = await denoIn(dir, ["run", "--no-config", "--quiet", "use.ts"]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), {
        width: 1024,
        cookies: true,
        notText: "number",
        app: "shop",
      });
      assert.equal(result.stderr, "");
    });
    await t.step("the command line runs by path with --no-config", async () => {
      const tsv = `${dir}/one.tsv`;
      const fields: string[] = Array(131).fill("");
      fields[0] = "shop";
      fields[95] = "1024";
      await Deno.writeTextFile(tsv, fields.join("\t") + "\n");
      const cli = `${PROJECT_ROOT}src/cli.ts`;
      const result = await denoIn(dir, [
        "run",
        "--no-config",
        "--quiet",
        "--allow-read",
        cli,
        "transform",
        "one.tsv",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { app_id: "shop", br_viewwidth: 1024 });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
