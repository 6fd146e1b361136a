import assert from "node:assert/strict";
import { S3Error } from "../../src/aws/mod.ts";
import { listRunIds } from "../../src/s3/mod.ts";
import {
  cyclicListing,
  FakeS3,
  faultFirstAttempts,
  listingPage,
  s3Fault,
} from "../support/fake_s3.ts";
import { putObject, s3rverOptions, startS3rver } from "../support/s3rver.ts";

const encoder = new TextEncoder();
function byteOrder(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function runName(i: number): string {
  const t = new Date(Date.UTC(2017, 0, 1) + i * 3_600_000 + (i % 60) * 1000);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `run=${t.getUTCFullYear()}-${p(t.getUTCMonth() + 1)}-${p(t.getUTCDate())}-${
    p(t.getUTCHours())
  }-${p(t.getUTCMinutes())}-${p(t.getUTCSeconds())}`;
}

const ROOT = "storage/enriched-archive/";

/**
 * 2,500 run folders mixed with non-run folders, near misses, archived runs (GLACIER,
 * DEEP_ARCHIVE), GLACIER_IR runs, an empty run folder (a folder marker only) and odd keys.
 * Returns every run folder and the ones that are not archived.
 */
function seedArchive(s3: FakeS3): { all: string[]; readable: string[] } {
  const all: string[] = [];
  const readable: string[] = [];
  for (let i = 0; i < 2500; i++) {
    const run = `${ROOT}${runName(i)}/`;
    all.push(run);
    let classes = ["STANDARD", "STANDARD"];
    let archived = false;
    if (i % 97 === 5) [classes, archived] = [["GLACIER", "GLACIER"], true];
    else if (i % 89 === 7) [classes, archived] = [["STANDARD", "DEEP_ARCHIVE", "STANDARD"], true];
    else if (i % 83 === 3) classes = ["GLACIER_IR", "GLACIER_IR"];
    else if (i % 79 === 1) classes = ["STANDARD", "STANDARD", "STANDARD", "GLACIER"]; // past the probe
    for (const [j, storageClass] of classes.entries()) {
      s3.put({
        bucket: "archive",
        key: `${run}part-${String(j).padStart(5, "0")}.gz`,
        storageClass,
      }, "x");
    }
    if (i % 50 === 0) s3.put({ bucket: "archive", key: `${run}sub folder/é+ü x.tsv` }, "y");
    if (!archived) readable.push(run);
  }
  // An empty run folder: only a zero-byte folder marker.
  const empty = `${ROOT}run=2030-01-01-00-00-00/`;
  s3.put({ bucket: "archive", key: empty }, "");
  all.push(empty);
  readable.push(empty);
  // Not run folders.
  for (
    const name of [
      "nur=2017-01-01-00-00-00",
      "run=2017-1-1-0-0-0",
      "run=2017-13-01-00-00-00",
      "run=2017-02-29-00-00-00",
      "run=2017-01-01-24-00-00",
      "run=2017-01-01-00-00-00 copy",
      "run=2017-01-01-00-00-00+1",
      "xrun=2017-01-01-00-00-00",
      "2017-01-01-00-00-00",
      "other",
      "with space",
      "plus+sign",
      "ünïcödé 日本",
    ]
  ) {
    s3.put({ bucket: "archive", key: `${ROOT}${name}/part-00000.gz` }, "z");
  }
  s3.put({ bucket: "archive", key: `${ROOT}_SUCCESS` }, "");
  s3.put({ bucket: "archive", key: `${ROOT}run=2017-01-01-00-00-00_$folder$` }, "");
  s3.put({ bucket: "archive", key: `elsewhere/${runName(1)}/part-00000.gz` }, "z");
  all.sort(byteOrder);
  readable.sort(byteOrder);
  return { all, readable };
}

Deno.test("listRunIds() lists 2,500 run folders over several pages, skipping archived runs", async () => {
  await using s3 = await FakeS3.start();
  const { all, readable } = seedArchive(s3);
  assert.ok(all.length - readable.length > 40);

  const runIds = await Array.fromAsync(listRunIds(`s3://archive/${ROOT}`, s3.awsOptions()));
  assert.deepEqual(runIds, readable);

  const folderPages = s3.requests.filter((r) => r.query.get("delimiter") === "/");
  assert.equal(folderPages.length, 3);
  assert.ok(folderPages.every((r) => r.query.get("prefix") === ROOT));
  assert.ok(folderPages.every((r) => r.query.get("encoding-type") === "url"));
  const probes = s3.requests.filter((r) =>
    r.operation === "ListObjectsV2" && !r.query.has("delimiter")
  );
  assert.equal(probes.length, all.length);
  assert.ok(probes.every((r) => r.query.get("max-keys") === "3"));
});

Deno.test("listRunIds() with includeArchived lists every run folder without probing", async () => {
  await using s3 = await FakeS3.start();
  const { all } = seedArchive(s3);
  const runIds = await Array.fromAsync(
    listRunIds(`s3n://archive/${ROOT.slice(0, -1)}`, s3.awsOptions({ includeArchived: true })),
  );
  assert.deepEqual(runIds, all);
  assert.equal(s3.requests.length, 3);
});

Deno.test("listRunIds() takes the archived storage classes and probe size as options", async (t) => {
  await using s3 = await FakeS3.start();
  const classes = ["GLACIER_IR", "STANDARD", "STANDARD", "GLACIER"];
  for (const [j, storageClass] of classes.entries()) {
    s3.put({ bucket: "b", key: `p/run=2017-01-01-00-00-00/part-${j}`, storageClass }, "x");
  }
  s3.put(
    { bucket: "b", key: "p/run=2017-01-02-00-00-00/part-0", storageClass: "DEEP_ARCHIVE" },
    "x",
  );
  const list = (extra: object) => Array.fromAsync(listRunIds("s3a://b/p/", s3.awsOptions(extra)));
  await t.step("default: the 4th object is past the probe", async () => {
    assert.deepEqual(await list({}), ["p/run=2017-01-01-00-00-00/"]);
  });
  await t.step("probeSize 4", async () => {
    assert.deepEqual(await list({ probeSize: 4 }), []);
  });
  await t.step("GLACIER_IR counted as archived", async () => {
    assert.deepEqual(await list({ archivedStorageClasses: ["GLACIER_IR"] }), [
      "p/run=2017-01-02-00-00-00/",
    ]);
  });
  await t.step("an empty set skips nothing", async () => {
    assert.deepEqual(await list({ archivedStorageClasses: [] }), [
      "p/run=2017-01-01-00-00-00/",
      "p/run=2017-01-02-00-00-00/",
    ]);
  });
});

Deno.test("listRunIds() decodes run folders under prefixes that need URL encoding", async () => {
  await using s3 = await FakeS3.start();
  const roots = ["a b/", "plus+/", "ünï 日本/😀/", "100%/", "amp&lt;/"];
  const expected: string[] = [];
  for (const root of roots) {
    for (let i = 0; i < 3; i++) {
      const run = `${root}${runName(i)}/`;
      s3.put({ bucket: "b", key: `${run}part 0+ü.gz` }, "x");
      expected.push(run);
    }
    s3.put({ bucket: "b", key: `${root}${runName(9)} /x` }, "x");
  }
  for (const root of roots) {
    const runIds = await Array.fromAsync(listRunIds(`s3://b/${root}`, s3.awsOptions()));
    assert.deepEqual(runIds, expected.filter((r) => r.startsWith(root)));
  }
});

Deno.test("listRunIds() treats a run folder with no objects as not archived", async () => {
  // The folder is listed, then its objects vanish before the probe (Python crashes here).
  const empty = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name>' +
    "<KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>";
  await using s3 = await FakeS3.start({
    faults: (_i, request) =>
      new URL(request.url).searchParams.get("prefix") === "p/run=2017-01-01-00-00-00/"
        ? { status: 200, body: empty, headers: { "content-type": "application/xml" } }
        : undefined,
  });
  s3.put({ bucket: "b", key: "p/run=2017-01-01-00-00-00/part-0", storageClass: "GLACIER" }, "x");
  s3.put({ bucket: "b", key: "p/run=2017-01-02-00-00-00/part-0", storageClass: "GLACIER" }, "x");
  assert.deepEqual(await Array.fromAsync(listRunIds("s3://b/p/", s3.awsOptions())), [
    "p/run=2017-01-01-00-00-00/",
  ]);
});

Deno.test("listRunIds() bounds concurrent probes and keeps the listing order", async (t) => {
  for (const concurrency of [1, 3, 8]) {
    await t.step(`concurrency ${concurrency}`, async () => {
      await using s3 = await FakeS3.start();
      const expected: string[] = [];
      for (let i = 0; i < 60; i++) {
        const run = `p/${runName(i)}/`;
        s3.put({
          bucket: "b",
          key: `${run}part-0`,
          storageClass: i % 7 === 0 ? "GLACIER" : "STANDARD",
        }, "x");
        if (i % 7 !== 0) expected.push(run);
      }
      let inFlight = 0;
      let maxInFlight = 0;
      const countingFetch: typeof fetch = async (input, init) => {
        const probe = !String(input instanceof Request ? input.url : input).includes("delimiter");
        if (probe) maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          // Answers come back out of order: later probes can finish first.
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4)));
          return await fetch(input, init);
        } finally {
          if (probe) inFlight--;
        }
      };
      const runIds = await Array.fromAsync(
        listRunIds("s3://b/p/", s3.awsOptions({ concurrency, fetch: countingFetch })),
      );
      assert.deepEqual(runIds, expected);
      assert.ok(maxInFlight <= concurrency, `${maxInFlight} probes in flight`);
      if (concurrency > 1) assert.ok(maxInFlight > 1, `${maxInFlight} probes in flight`);
    });
  }
});

Deno.test("listRunIds() yields the first runs before the listing ends", async () => {
  await using s3 = await FakeS3.start({ maxKeysLimit: 10 });
  for (let i = 0; i < 45; i++) s3.put({ bucket: "b", key: `p/${runName(i)}/part-0` }, "x");
  const seen: number[] = [];
  for await (const _ of listRunIds("s3://b/p/", s3.awsOptions({ concurrency: 2 }))) {
    seen.push(s3.requests.filter((r) => r.query.has("delimiter")).length);
  }
  assert.equal(seen.length, 45);
  assert.equal(seen[0], 1);
  assert.equal(seen.at(-1), 5);
});

Deno.test("listRunIds() stops probing when the caller breaks early", async () => {
  await using s3 = await FakeS3.start();
  for (let i = 0; i < 100; i++) s3.put({ bucket: "b", key: `p/${runName(i)}/part-0` }, "x");
  const runIds: string[] = [];
  for await (const runId of listRunIds("s3://b/p/", s3.awsOptions({ concurrency: 4 }))) {
    runIds.push(runId);
    if (runIds.length === 3) break;
  }
  assert.equal(runIds.length, 3);
  const probes = s3.requests.filter((r) => !r.query.has("delimiter")).length;
  assert.ok(probes <= 3 + 4, `${probes} probes`);
});

Deno.test("listRunIds() throws caller mistakes at once", () => {
  const options = { credentials: { accessKeyId: "a", secretAccessKey: "b" } };
  assert.throws(() => listRunIds("s3:/b/p", options), TypeError);
  assert.throws(() => listRunIds("file:///tmp", options), TypeError);
  assert.throws(() => listRunIds("s3://b/p", { ...options, concurrency: 0 }), RangeError);
  assert.throws(() => listRunIds("s3://b/p", { ...options, probeSize: 1.5 }), RangeError);
});

Deno.test("listRunIds() survives throttling and failures part of the time", async () => {
  await using s3 = await FakeS3.start({
    maxKeysLimit: 20,
    faults: faultFirstAttempts(["SlowDown", "ok", "reset", "InternalError", "ok", "cut"], 2),
  });
  const expected: string[] = [];
  for (let i = 0; i < 50; i++) {
    const run = `p/${runName(i)}/`;
    s3.put({
      bucket: "b",
      key: `${run}part-0`,
      storageClass: i % 5 === 0 ? "DEEP_ARCHIVE" : "STANDARD",
    }, "x");
    if (i % 5 !== 0) expected.push(run);
  }
  const runIds = await Array.fromAsync(listRunIds("s3://b/p/", s3.awsOptions({ concurrency: 4 })));
  assert.deepEqual(runIds, expected);
  assert.ok(s3.attemptCount > s3.requests.filter((r) => r.status === 200).length);
});

Deno.test("listRunIds() fails with the typed error when a probe runs out of retries", async () => {
  await using s3 = await FakeS3.start({
    faults: (_i, request) =>
      new URL(request.url).searchParams.has("delimiter") ? undefined : s3Fault(503, "SlowDown"),
  });
  for (let i = 0; i < 20; i++) s3.put({ bucket: "b", key: `p/${runName(i)}/part-0` }, "x");
  const options = s3.awsOptions({ retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
  await assert.rejects(Array.fromAsync(listRunIds("s3://b/p/", options)), (e: unknown) => {
    assert.ok(e instanceof S3Error);
    assert.equal(e.code, "SlowDown");
    assert.equal(e.status, 503);
    assert.equal(e.throttling, true);
    return true;
  });
});

Deno.test("listRunIds() stops at once when the signal aborts", async () => {
  await using s3 = await FakeS3.start({
    faults: (_i, request) =>
      new URL(request.url).searchParams.has("delimiter") ? undefined : "hang",
  });
  for (let i = 0; i < 20; i++) s3.put({ bucket: "b", key: `p/${runName(i)}/part-0` }, "x");
  const controller = new AbortController();
  const listing = Array.fromAsync(
    listRunIds("s3://b/p/", s3.awsOptions({ signal: controller.signal })),
  );
  while (s3.attemptCount < 9) await new Promise((r) => setTimeout(r, 2));
  controller.abort(new Error("stop now"));
  await assert.rejects(listing, { message: "stop now" });
});

Deno.test("listRunIds() with a wrong secret fails with SignatureDoesNotMatch", async () => {
  await using s3 = await FakeS3.start();
  s3.put({ bucket: "b", key: `p/${runName(0)}/part-0` }, "x");
  const secret = "not-the-secret-1234";
  const options = s3.awsOptions({
    credentials: { accessKeyId: "AKIDFAKES3", secretAccessKey: secret },
  });
  await assert.rejects(Array.fromAsync(listRunIds("s3://b/p/", options)), (e: unknown) => {
    assert.ok(e instanceof S3Error);
    assert.equal(e.code, "SignatureDoesNotMatch");
    assert.equal(e.status, 403);
    assert.ok(!e.message.includes(secret));
    return true;
  });
  assert.equal(s3.requests.length, 1);
});

Deno.test("listRunIds() lists run folders PUT to s3rver", async () => {
  const server = await startS3rver(["smoke"]);
  try {
    const options = s3rverOptions(server.endpoint);
    const runs = [0, 1, 2].map((i) => `odd+root %/${runName(i)}/`);
    for (const run of runs) await putObject({ bucket: "smoke", key: `${run}part-0` }, "x", options);
    await putObject(
      { bucket: "smoke", key: "odd+root %/nur=2017-01-01-00-00-00/part-0" },
      "x",
      options,
    );
    await putObject(
      { bucket: "smoke", key: `odd+root %/${runName(3)}/part-0`, storageClass: "GLACIER" },
      "x",
      options,
    );
    // s3rver lists every object as STANDARD, so the GLACIER run is not detected there.
    const runIds = await Array.fromAsync(listRunIds("s3://smoke/odd+root %/", options));
    assert.deepEqual(runIds, [...runs, `odd+root %/${runName(3)}/`]);
  } finally {
    await server.close();
  }
});

Deno.test("listRunIds() recovers from a skewed clock once for the whole call", async () => {
  await using s3 = await FakeS3.start();
  for (let i = 0; i < 12; i++) s3.put({ bucket: "b", key: `p/${runName(i)}/part-0` }, "x");
  const clock = () => new Date(Date.now() - 3_600_000);
  const runIds = await Array.fromAsync(listRunIds("s3://b/p/", s3.awsOptions({ clock })));
  assert.equal(runIds.length, 12);
  const skewed = s3.requests.filter((r) => r.status === 403);
  assert.equal(skewed.length, 1);
  assert.equal(s3.requests.length, 1 + 1 + 12);
});

Deno.test("listRunIds() with sealedBy lists only the folders holding the seal object", async (t) => {
  const s3 = await FakeS3.start({ buckets: ["archive"] });
  try {
    const sealed = `${ROOT}run=2017-01-01-00-00-00/`;
    const unsealed = `${ROOT}run=2017-01-02-00-00-00/`;
    const nested = `${ROOT}run=2017-01-03-00-00-00/`;
    const lookalike = `${ROOT}run=2017-01-04-00-00-00/`;
    const archived = `${ROOT}run=2017-01-05-00-00-00/`;
    s3.put({ bucket: "archive", key: `${sealed}part-00000.gz` }, "x");
    s3.put({ bucket: "archive", key: `${sealed}shredding_complete.json` }, "{}");
    s3.put({ bucket: "archive", key: `${unsealed}part-00000.gz` }, "x");
    s3.put({ bucket: "archive", key: `${nested}output/shredding_complete.json` }, "{}");
    s3.put({ bucket: "archive", key: `${lookalike}shredding_complete.json.tmp` }, "{}");
    s3.put({ bucket: "archive", key: `${archived}part-00000.gz`, storageClass: "GLACIER" }, "x");
    s3.put({ bucket: "archive", key: `${archived}shredding_complete.json` }, "{}");
    const list = async (options: Record<string, unknown>) => {
      const runs: string[] = [];
      for await (const run of listRunIds(`s3://archive/${ROOT}`, s3.awsOptions(options))) {
        runs.push(run);
      }
      return runs;
    };
    await t.step("only sealed folders, archived ones still skipped", async () => {
      assert.deepEqual(await list({ sealedBy: "shredding_complete.json" }), [sealed]);
    });
    await t.step("archived sealed folders with includeArchived", async () => {
      assert.deepEqual(
        await list({ sealedBy: "shredding_complete.json", includeArchived: true }),
        [sealed, archived],
      );
    });
    await t.step("a seal in a sub-folder", async () => {
      assert.deepEqual(await list({ sealedBy: "output/shredding_complete.json" }), [nested]);
    });
    await t.step("without sealedBy every readable folder", async () => {
      assert.deepEqual(await list({}), [sealed, unsealed, nested, lookalike]);
    });
    await t.step("a seal name that cannot name an object is refused at once", () => {
      for (const sealedBy of ["", "/_SUCCESS", "done/"]) {
        assert.throws(
          () => listRunIds(`s3://archive/${ROOT}`, s3.awsOptions({ sealedBy })),
          TypeError,
        );
      }
    });
  } finally {
    await s3.close();
  }
});

Deno.test("listRunIds() stops a listing whose continuation tokens cycle", async () => {
  await using s3 = await FakeS3.start({ faults: cyclicListing("archive/", true) });
  const runs: string[] = [];
  await assert.rejects(
    (async () => {
      const listing = listRunIds("s3://bucket/archive/", s3.awsOptions({ includeArchived: true }));
      for await (const runId of listing) runs.push(runId);
    })(),
    (e: unknown) =>
      e instanceof S3Error && e.code === "InvalidResponse" && /a listing cycle/.test(e.message),
  );
  assert.deepEqual(runs, ["archive/run=2017-01-01-00-00-00/", "archive/run=2017-01-01-00-00-01/"]);
});

Deno.test("listRunIds() never yields a run folder outside the prefix asked for", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["another prefix", "elsewhere/run=2017-01-01-00-00-00/", /is outside the prefix "archive\/"/],
    [
      "a deeper folder",
      "archive/x/run=2017-01-01-00-00-00/",
      /does not end at the first delimiter/,
    ],
    ["no delimiter at the end", "archive/run=2017-01-01-00-00-00", /does not end at the first/],
  ];
  for (const [name, prefix, message] of cases) {
    await t.step(name, async () => {
      await using s3 = await FakeS3.start({
        faults: () => listingPage({ prefix: "archive/", prefixes: [prefix] }),
      });
      await assert.rejects(
        Array.fromAsync(
          listRunIds("s3://bucket/archive/", s3.awsOptions({ includeArchived: true })),
        ),
        (e: unknown) =>
          e instanceof S3Error && e.code === "InvalidResponse" && message.test(e.message),
      );
    });
  }
});
