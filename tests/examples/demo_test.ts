import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("deno task demo runs the whole loop on local servers, exits 0, prints only its own output", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "demo"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  // Only the task runner's own line: no download, install or build-script notices.
  assert.match(err, /^Task demo deno run [^\n]* examples\/demo\.ts\n$/);
  for (
    const line of [
      "   200 lines: 195 events, 5 bad rows",
      "   enriched/archive/run=2026-11-20-02-00-00/  20 lines in 1 gzip part + _SUCCESS, " +
      "GLACIER (archived)",
      "   pass 1: 3 runs listed (the GLACIER run is skipped), 3 processed, 0 already in the manifest",
      "   bad rows: 4",
      "   pass 2: 3 runs listed (the GLACIER run is skipped), 0 processed, 3 already in the manifest",
      "Result: 4 runs processed, none twice; all recorded in the manifest.",
      "Local servers stopped.",
    ]
  ) {
    assert.ok(out.split("\n").includes(line), `missing line: ${line}\n${out}`);
  }
  assert.match(out, /^ {3}events by type: unstruct \d+, page_ping \d+, page_view \d+/m);
  // Exactly one of the two workers processed the new run; the other skipped it or found it done.
  const workers = out.split("\n").filter((l) => /^ {3}worker-[ab]: /.test(l));
  assert.equal(workers.length, 2);
  assert.equal(workers.filter((l) => l.includes(" 1 processed (19 events, 1 bad row)")).length, 1);
  assert.equal(workers.filter((l) => l.includes(" 0 processed")).length, 1);
  const pass2 = out.slice(out.indexOf("5. The seed's loop, pass 2:"), out.indexOf("6. "));
  assert.doesNotMatch(pass2, /processed enriched/, "nothing is processed twice");
});
