import assert from "node:assert/strict";
import { helpText, parseArgs } from "../../src/cli/args.ts";
import { type Command, type OptionSpec, UsageError } from "../../src/cli/command.ts";

const OPTIONS: Record<string, OptionSpec> = {
  bad: { type: "string", value: "FILE", description: "bad rows" },
  nulls: { type: "boolean", description: "nulls" },
  quiet: { type: "boolean", short: "q", description: "quiet" },
  out: { type: "string", short: "o", description: "output" },
};

Deno.test("parseArgs() reads flags, values and positionals", async (t) => {
  const cases: [string, string[], Record<string, string | boolean>, string[]][] = [
    ["nothing", [], {}, []],
    ["positionals and stdin", ["a.tsv", "-", "b.gz"], {}, ["a.tsv", "-", "b.gz"]],
    ["value after the option", ["--bad", "x.ndjson", "a"], { bad: "x.ndjson" }, ["a"]],
    ["value with =", ["--bad=x=y", "a"], { bad: "x=y" }, ["a"]],
    ["empty value with =", ["--bad="], { bad: "" }, []],
    ["flags", ["--nulls", "-q"], { nulls: true, quiet: true }, []],
    ["short option with a value", ["-o", "out.csv"], { out: "out.csv" }, []],
    ["stdin as a value", ["--bad", "-"], { bad: "-" }, []],
    ["-- ends the options", ["--nulls", "--", "--quiet", "-x"], { nulls: true }, [
      "--quiet",
      "-x",
    ]],
  ];
  for (const [name, args, values, positionals] of cases) {
    await t.step(name, () => {
      const parsed = parseArgs(args, OPTIONS);
      assert.deepEqual(parsed.positionals, positionals);
      for (const [key, value] of Object.entries(values)) {
        if (value === true) assert.equal(parsed.flag(key), true, key);
        else assert.equal(parsed.string(key), value, key);
      }
      assert.equal(parsed.flag("nulls"), values.nulls === true);
      assert.equal(parsed.string("bad"), values.bad as string | undefined);
    });
  }
});

Deno.test("parseArgs() throws a UsageError naming the wrong argument", async (t) => {
  const cases: [string, string[], string][] = [
    ["unknown long option", ["--nope"], "Invalid option --nope: no such option"],
    ["unknown short option", ["-x"], "Invalid option -x: no such option"],
    ["grouped short options", ["-qo"], "Invalid option -qo: no such option"],
    ["missing value at the end", ["--bad"], "Invalid option --bad: expected a value (FILE)"],
    [
      "option instead of a value",
      ["--bad", "--nulls"],
      "Invalid option --bad: expected a value (FILE)",
    ],
    ["value for a flag", ["--nulls=yes"], "Invalid option --nulls: it takes no value"],
    ["repeated option", ["--bad", "a", "--bad", "b"], "Invalid option --bad: given more than once"],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, () => {
      assert.throws(() => parseArgs(args, OPTIONS), new UsageError(message));
    });
  }
});

Deno.test("helpText() lists every option with its value name and --help", () => {
  const command: Command = {
    name: "demo",
    summary: "a demo",
    usage: "[options] FILE",
    description: "Does nothing.",
    options: OPTIONS,
    epilog: "Exit status: 0.",
    run: () => Promise.resolve(0),
  };
  assert.equal(
    helpText(command),
    [
      "Usage: snowplow-analytics demo [options] FILE",
      "",
      "Does nothing.",
      "",
      "Options:",
      "      --bad FILE   bad rows",
      "      --nulls      nulls",
      "  -q, --quiet      quiet",
      "  -o, --out VALUE  output",
      "  -h, --help       show this help",
      "",
      "Exit status: 0.",
      "",
    ].join("\n"),
  );
});
