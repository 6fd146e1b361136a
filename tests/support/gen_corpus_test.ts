import assert from "node:assert/strict";
import { corpusStream, parseCorpusArgs, writeCorpusFile } from "./gen_corpus.ts";
import { generateCorpus } from "./generator.ts";
import { transform } from "../../mod.ts";

const GEN_CORPUS = new URL("./gen_corpus.ts", import.meta.url).pathname;

Deno.test("parseCorpusArgs() reads every flag and has the documented defaults", () => {
  assert.deepEqual(parseCorpusArgs(["--out", "c.tsv"]), {
    out: "c.tsv",
    events: 50000,
    seed: 42,
    gzip: false,
    badRate: 0,
  });
  assert.deepEqual(
    parseCorpusArgs(["--out=x.gz", "--events", "7", "--seed=-3", "--gzip", "--bad-rate", ".5"]),
    { out: "x.gz", events: 7, seed: -3, gzip: true, badRate: 0.5 },
  );
});

Deno.test("parseCorpusArgs() names the flag it cannot use", async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /^Missing --out FILE/],
    [["--out", "x", "--events=-1"], /^Invalid --events: -1$/],
    [["--out", "x", "--events", "1e3x"], /^Invalid --events: 1e3x$/],
    [["--out", "x", "--seed", "1.5"], /^Invalid --seed: 1.5$/],
    [["--out", "x", "--bad-rate", "2"], /^Invalid --bad-rate: 2$/],
    [["--out", "x", "--eventz", "2"], /--eventz/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" ") || "(none)", () => {
      assert.throws(() => parseCorpusArgs(args), (error: Error) => message.test(error.message));
    });
  }
});

Deno.test("corpusStream() writes the generator's lines, each ended by a line feed", async () => {
  const text = await new Response(corpusStream({ events: 2500, seed: 9, gzip: false, badRate: 0 }))
    .text();
  assert.ok(text === generateCorpus(9, 2500).join("\n") + "\n", "the generator's 2,500 lines");
  for (const line of text.split("\n").slice(0, 50).filter(Boolean)) transform(line);
});

Deno.test("writeCorpusFile() gzips the same bytes, and equal options write equal files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gen-corpus-" });
  try {
    const options = { events: 300, seed: 4, gzip: true, badRate: 0.1 };
    const a = await writeCorpusFile({ ...options, out: `${dir}/a.tsv.gz` });
    const b = await writeCorpusFile({ ...options, out: `${dir}/b.tsv.gz` });
    const gz = await Deno.readFile(`${dir}/a.tsv.gz`);
    assert.equal(gz.length, a);
    assert.equal(a, b);
    assert.deepEqual(await Deno.readFile(`${dir}/b.tsv.gz`), gz);
    const plain = await new Response(corpusStream({ ...options, gzip: false })).text();
    const unzipped = await new Response(
      new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip")),
    ).text();
    assert.ok(unzipped === plain, "gunzip gives the plain corpus");
    assert.equal(plain.split("\n").length, 301);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task gen-corpus writes the file and says what it wrote", async () => {
  const dir = await Deno.makeTempDir({ prefix: "gen-corpus-" });
  try {
    const out = `${dir}/c.tsv`;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "gen-corpus", "--events", "20", "--seed", "1", "--out", out],
      cwd: new URL("../../", import.meta.url).pathname,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const message = new TextDecoder().decode(stderr);
    assert.equal(code, 0, message);
    assert.equal(await Deno.readTextFile(out), generateCorpus(1, 20).join("\n") + "\n");
    assert.match(message, new RegExp(`^${out}: 20 lines, 0\\.\\d MB \\(seed 1\\)\\n$`));
    const bad = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-write", GEN_CORPUS, "--events", "x", "--out", out],
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(bad.code, 2);
    assert.equal(new TextDecoder().decode(bad.stderr), "gen-corpus: Invalid --events: x\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
