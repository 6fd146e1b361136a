import assert from "node:assert/strict";
import { gzipSync } from "npm:fflate@0.8.3";
import { S3Error } from "../../src/aws/mod.ts";
import { transform } from "../../src/event/mod.ts";
import { readRun, type RunLine, type S3Object } from "../../src/s3/mod.ts";
import { StreamReadError, type StreamStats } from "../../src/stream/mod.ts";
import { cyclicListing, FakeS3, type FaultPlan, misplacedRange } from "../support/fake_s3.ts";
import { generateLines } from "../support/generator.ts";
import { putObject, s3rverOptions, startS3rver } from "../support/s3rver.ts";

const encoder = new TextEncoder();
const RUN = "enriched/archive/run=2017-01-01-00-00-00/";

interface Expected {
  key: string;
  /** The non-empty lines: [line number, good?]. */
  lines: [number, boolean][];
  /** Total lines, empty ones included. */
  total: number;
}

/** Lines from the generator (some bad), with empty lines and CRLF mixed in. */
function makeText(
  seed: number,
  count: number,
): { text: string; lines: [number, boolean][]; total: number } {
  const parts: string[] = [];
  const lines: [number, boolean][] = [];
  let n = 0;
  for (const generated of generateLines({ seed, count, badRate: 0.2 })) {
    n++;
    parts.push(generated.line + (n % 7 === 0 ? "\r\n" : "\n"));
    lines.push([n, generated.label === "ok"]);
    if (n % 11 === 0) {
      n++;
      parts.push("\n");
    }
  }
  return { text: parts.join(""), lines, total: n };
}

function seedRun(s3: FakeS3): Expected[] {
  const expected: Expected[] = [];
  const add = (key: string, seed: number, count: number, encode: (text: string) => Uint8Array) => {
    const { text, lines, total } = makeText(seed, count);
    s3.put({ bucket: "bucket", key: RUN + key }, encode(text));
    expected.push({ key: RUN + key, lines, total });
  };
  add("part-00000", 1, 40, (t) => encoder.encode(t));
  add("part-00001.gz", 2, 60, (t) => gzipSync(encoder.encode(t)));
  add("part-00002.gz", 3, 50, (t) => {
    // Multi-member gzip: three members concatenated, split inside a line.
    const bytes = encoder.encode(t);
    const a = gzipSync(bytes.subarray(0, 1000));
    const b = gzipSync(bytes.subarray(1000, 5000));
    const c = gzipSync(bytes.subarray(5000));
    const out = new Uint8Array(a.length + b.length + c.length);
    out.set(a);
    out.set(b, a.length);
    out.set(c, a.length + b.length);
    return out;
  });
  add("sub dir/part +ü 日本.gz", 4, 10, (t) => gzipSync(encoder.encode(t)));
  add("part-00003", 5, 1, (t) => encoder.encode(t.replace(/\n$/, ""))); // no final newline
  // Markers and empty objects: skipped.
  s3.put({ bucket: "bucket", key: `${RUN}_SUCCESS` }, "not events");
  s3.put({ bucket: "bucket", key: `${RUN}empty-object` }, "");
  s3.put({ bucket: "bucket", key: `${RUN}sub dir_$folder$` }, "marker");
  s3.put({ bucket: "bucket", key: `${RUN}sub dir/` }, "");
  // Next to the run, not in it.
  s3.put({ bucket: "bucket", key: "enriched/archive/run=2017-01-01-00-00-00_$folder$" }, "");
  s3.put({ bucket: "bucket", key: "enriched/archive/run=2017-01-01-00-00-01/part-00000" }, "x\n");
  const order = s3.keys("bucket");
  return expected.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
}

function check(results: RunLine[], expected: Expected[]): void {
  const actual = results.map((r) => [r.key, r.line, r.event !== undefined] as const);
  const wanted = expected.flatMap((e) =>
    e.lines.map(([line, good]) => [e.key, line, good] as const)
  );
  assert.deepEqual(actual, wanted);
  for (const result of results) {
    if (result.event) assert.equal(typeof result.event.event_id, "string");
    else assert.equal(typeof result.badRow.error.type, "string");
  }
}

Deno.test("readRun() reads plain, gzip and multi-member gzip objects, skipping markers", async () => {
  await using s3 = await FakeS3.start();
  const expected = seedRun(s3);
  const stats = new Map<string, StreamStats>();
  const results = await Array.fromAsync(readRun(
    `s3://bucket/${RUN}`,
    s3.awsOptions({
      onObjectRead: (object: S3Object, s: StreamStats) => stats.set(object.key, s),
    }),
  ));
  check(results, expected);
  assert.ok(results.some((r) => r.badRow) && results.some((r) => r.event));

  // Every line is accounted for: an event, a bad row or an empty line.
  assert.deepEqual([...stats.keys()], expected.map((e) => e.key));
  for (const e of expected) {
    const s = stats.get(e.key)!;
    assert.equal(s.lines, e.total, e.key);
    assert.equal(s.events + s.badRows + s.emptyLines, s.lines, e.key);
    assert.equal(s.events, e.lines.filter(([, good]) => good).length, e.key);
    assert.equal(s.gzip, e.key.endsWith(".gz"), e.key);
  }
  const gets = s3.requests.filter((r) => r.operation === "GetObject").map((r) => r.key);
  assert.deepEqual(gets.sort(), expected.map((e) => e.key).sort());
});

Deno.test("readRun() takes a run id from listRunIds as { bucket, prefix }", async () => {
  await using s3 = await FakeS3.start();
  const expected = seedRun(s3);
  const results = await Array.fromAsync(
    readRun({ bucket: "bucket", prefix: RUN }, s3.awsOptions()),
  );
  check(results, expected);
});

Deno.test("readRun() keeps the order with any concurrency and bounds the downloads", async (t) => {
  for (const concurrency of [1, 2, 5]) {
    await t.step(`concurrency ${concurrency}`, async () => {
      await using s3 = await FakeS3.start();
      const expected: Expected[] = [];
      for (let i = 0; i < 8; i++) {
        const key = `${RUN}part-${String(i).padStart(5, "0")}.gz`;
        const { text, lines, total } = makeText(100 + i, 150);
        s3.put({ bucket: "bucket", key }, gzipSync(encoder.encode(text)));
        expected.push({ key, lines, total });
      }
      let open = 0;
      let maxOpen = 0;
      const countingFetch: typeof fetch = async (input, init) => {
        if (init?.method !== "GET" || String(input).includes("list-type")) {
          return await fetch(input, init);
        }
        // A download is open from the request until its body ends or is cancelled.
        maxOpen = Math.max(maxOpen, ++open);
        await new Promise((r) => setTimeout(r, 3));
        const response = await fetch(input, init);
        if (!response.body) {
          open--;
          return response;
        }
        const reader = response.body.getReader();
        let closed = false;
        const done = () => {
          if (!closed) open--;
          closed = true;
        };
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const { done: end, value } = await reader.read();
            if (end) {
              done();
              controller.close();
            } else controller.enqueue(value);
          },
          cancel(reason) {
            done();
            return reader.cancel(reason);
          },
        });
        return new Response(body, { status: response.status, headers: response.headers });
      };
      const results = await Array.fromAsync(readRun(
        `s3://bucket/${RUN}`,
        s3.awsOptions({
          concurrency,
          prefetchBytes: 1024,
          fetch: countingFetch,
        }),
      ));
      check(results, expected);
      assert.ok(maxOpen <= concurrency, `${maxOpen} bodies open at once`);
      if (concurrency > 1) assert.ok(maxOpen > 1, `${maxOpen} bodies open at once`);
    });
  }
});

Deno.test("readRun() resumes a body cut off mid-stream with a Range request", async () => {
  let cuts = 0;
  await using s3 = await FakeS3.start({
    faults: (_i, request) => {
      if (request.method !== "GET" || !request.url.includes("part-0000")) return undefined;
      if (request.headers.has("range") && cuts > 2) return undefined;
      cuts++;
      return "cut";
    },
  });
  const expected = seedRun(s3);
  const results = await Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions()));
  check(results, expected);
  const ranged = s3.requests.filter((r) => r.operation === "GetObject" && r.status === 206);
  assert.ok(ranged.length >= 3, `${ranged.length} ranged GETs`);
});

Deno.test("readRun() gives up with a typed error when a body keeps being cut off", async () => {
  await using s3 = await FakeS3.start({
    faults: (
      _i,
      request,
    ) => (request.method === "GET" && !request.url.includes("list-type") ? "cut" : undefined),
  });
  seedRun(s3);
  const options = s3.awsOptions({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
  await assert.rejects(Array.fromAsync(readRun(`s3://bucket/${RUN}`, options)), (e: unknown) => {
    assert.ok(e instanceof S3Error, String(e));
    assert.equal(e.code, "NetworkError");
    assert.equal(e.operation, "GetObject");
    assert.match(e.message, /s3:\/\/bucket\/\S+part-00000: the body was cut off 3 times/);
    return true;
  });
});

Deno.test("readRun() fails with InvalidObjectState for an archived object", async () => {
  await using s3 = await FakeS3.start();
  s3.put({ bucket: "bucket", key: `${RUN}part-00000`, storageClass: "GLACIER" }, "x\n");
  await assert.rejects(
    Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions())),
    (e: unknown) => {
      assert.ok(e instanceof S3Error);
      assert.equal(e.code, "InvalidObjectState");
      assert.equal(e.status, 403);
      assert.match(e.requestId ?? "", /^FAKES3/);
      assert.equal(
        e.message,
        `S3 GetObject failed: 403 InvalidObjectState: s3://bucket/${RUN}part-00000: The operation ` +
          `is not valid for the object's storage class (request id ${e.requestId})`,
      );
      return true;
    },
  );
});

Deno.test("readRun() names the object of a corrupt gzip body", async () => {
  await using s3 = await FakeS3.start();
  const gz = gzipSync(encoder.encode("a\nb\n".repeat(1000)));
  s3.put({ bucket: "bucket", key: `${RUN}part-00000.gz` }, gz.subarray(0, gz.length - 20));
  await assert.rejects(
    Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions())),
    (e: unknown) => e instanceof StreamReadError && e.message.includes(`${RUN}part-00000.gz`),
  );
});

Deno.test("readRun() applies the filter option", async () => {
  await using s3 = await FakeS3.start();
  const expected = seedRun(s3);
  const results = await Array.fromAsync(readRun(
    `s3://bucket/${RUN}`,
    s3.awsOptions({
      filter: (object: S3Object) => object.key.endsWith(".gz"),
    }),
  ));
  check(results, expected.filter((e) => e.key.endsWith(".gz")));
});

Deno.test("readRun() stops downloading when the caller breaks early", async () => {
  await using s3 = await FakeS3.start();
  seedRun(s3);
  let n = 0;
  for await (const _ of readRun(`s3://bucket/${RUN}`, s3.awsOptions({ concurrency: 3 }))) {
    if (++n === 5) break;
  }
  assert.equal(n, 5);
});

Deno.test("readRun() stops at once when the signal aborts", async () => {
  await using s3 = await FakeS3.start({
    faults: (_i, request) =>
      request.method === "GET" && !request.url.includes("list-type") ? "hang" : undefined,
  });
  seedRun(s3);
  const controller = new AbortController();
  const reading = Array.fromAsync(
    readRun(`s3://bucket/${RUN}`, s3.awsOptions({ signal: controller.signal })),
  );
  while (s3.attemptCount < 3) await new Promise((r) => setTimeout(r, 2));
  controller.abort(new Error("stop now"));
  await assert.rejects(reading, { message: "stop now" });
});

Deno.test("readRun() throws caller mistakes at once", () => {
  const options = { credentials: { accessKeyId: "a", secretAccessKey: "b" } };
  assert.throws(() => readRun("s3:/bucket/x", options), TypeError);
  assert.throws(() => readRun("s3://bucket/x", { ...options, concurrency: 0 }), RangeError);
  assert.throws(() => readRun("s3://bucket/x", { ...options, prefetchBytes: -1 }), RangeError);
  assert.throws(() => readRun("s3://bucket/x", { ...options, maxLineBytes: 0 }), RangeError);
});

Deno.test("readRun() refuses a key with a .. segment instead of reading another object", async () => {
  await using s3 = await FakeS3.start();
  s3.put({ bucket: "bucket", key: `${RUN}x/../part-00000` }, "x\n");
  s3.put({ bucket: "bucket", key: `${RUN}part-00000` }, "y\n");
  await assert.rejects(
    Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions())),
    (e: unknown) => {
      assert.ok(e instanceof StreamReadError, String(e));
      assert.match(e.message, /x\/\.\.\/part-00000/);
      return true;
    },
  );
});

Deno.test("readRun() resumes from a server that ignores Range by skipping what it read", async () => {
  await using s3 = await FakeS3.start();
  const expected = seedRun(s3);
  const cutOnce = new Set<string>();
  const fetchIgnoringRange: typeof fetch = async (input, init) => {
    const url = String(input);
    // A server that ignores Range (If-Match, which is signed, still reaches it).
    const headers = new Headers(init?.headers);
    headers.delete("range");
    const response = await fetch(input, { ...init, headers });
    if (url.includes("list-type") || cutOnce.has(url) || !response.body) return response;
    cutOnce.add(url);
    // The first download of each object breaks after 100 bytes.
    const reader = response.body.getReader();
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        if (sent + value.length > 100) {
          controller.enqueue(value.subarray(0, 100 - sent));
          await reader.cancel();
          controller.error(new TypeError("connection reset"));
          return;
        }
        sent += value.length;
        controller.enqueue(value);
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const results = await Array.fromAsync(
    readRun(`s3://bucket/${RUN}`, s3.awsOptions({ fetch: fetchIgnoringRange })),
  );
  check(results, expected);
  const gets = s3.requests.filter((r) => r.operation === "GetObject");
  assert.equal(gets.length, 2 * expected.length);
  assert.ok(gets.every((r) => r.status === 200));
});

Deno.test("readRun() reads a run PUT to s3rver", async () => {
  const server = await startS3rver(["smoke"]);
  try {
    const options = s3rverOptions(server.endpoint);
    const plain = makeText(7, 20);
    const zipped = makeText(8, 20);
    await putObject({ bucket: "smoke", key: `${RUN}part-00000` }, plain.text, options);
    await putObject(
      { bucket: "smoke", key: `${RUN}part-00001.gz` },
      gzipSync(encoder.encode(zipped.text)),
      options,
    );
    await putObject({ bucket: "smoke", key: `${RUN}_SUCCESS` }, "", options);
    const results = await Array.fromAsync(readRun(`s3://smoke/${RUN}`, options));
    check(results, [
      { key: `${RUN}part-00000`, ...plain },
      { key: `${RUN}part-00001.gz`, ...zipped },
    ]);
  } finally {
    await server.close();
  }
});

/** Plain-text lines (no gzip), so a body cut anywhere still splits into whole lines. */
function plainRun(s3: FakeS3, count = 50): { key: string; text: string } {
  const { text } = makeText(9, count);
  const key = `${RUN}part-00000`;
  s3.put({ bucket: "bucket", key }, text);
  return { key, text };
}

/** The numbers of the non-empty lines of a text. */
function lineNumbers(text: string): number[] {
  return text.split("\n").flatMap((line, i) => line.replace(/\r$/, "") === "" ? [] : [i + 1]);
}

/** A plan applying `fault` to the GetObject requests that `when` picks (listings pass). */
function onGet(
  when: (request: Request, n: number) => boolean,
  fault: (request: Request) => ReturnType<FaultPlan>,
): FaultPlan {
  let n = 0;
  return (_i, request) => {
    if (request.method !== "GET" || request.url.includes("list-type")) return undefined;
    return when(request, n++) ? fault(request) : undefined;
  };
}

Deno.test("readRun() resumes a body that ends cleanly before the listed size", async () => {
  await using s3 = await FakeS3.start({ faults: onGet((_r, n) => n < 2, () => "short") });
  const { text } = plainRun(s3);
  const results = await Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions()));
  assert.deepEqual(results.map((r) => r.line), lineNumbers(text));
  const gets = s3.requests.filter((r) => r.operation === "GetObject").map((r) => r.status);
  assert.deepEqual(gets, [200, 206, 206], "cut short twice, resumed twice");
});

Deno.test("readRun() fails when a body keeps ending before the listed size", async () => {
  await using s3 = await FakeS3.start({ faults: onGet(() => true, () => "short") });
  const { key, text } = plainRun(s3);
  const seen: RunLine[] = [];
  const options = s3.awsOptions({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
  await assert.rejects(
    (async () => {
      for await (const result of readRun(`s3://bucket/${RUN}`, options)) seen.push(result);
    })(),
    (e: unknown) => {
      assert.ok(e instanceof S3Error, String(e));
      assert.equal(e.code, "NetworkError");
      assert.match(e.message, new RegExp(`s3://bucket/${key}: the body ended early 3 times`));
      return true;
    },
  );
  // What was delivered is the start of the object, in order; the rest was not made up.
  const all = lineNumbers(text);
  assert.ok(seen.length < all.length);
  assert.deepEqual(seen.map((r) => r.line), all.slice(0, seen.length));
});

Deno.test("readRun() refuses a resume answered from the wrong offset", async () => {
  const s3 = await FakeS3.start({
    faults: onGet(() => true, (request) => {
      const range = request.headers.get("range");
      if (range === null) return "cut";
      return misplacedRange(s3.get("bucket", `${RUN}part-00000`)!, 0);
    }),
  });
  try {
    plainRun(s3);
    await assert.rejects(
      Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions())),
      (e: unknown) => {
        assert.ok(e instanceof S3Error, String(e));
        assert.equal(e.code, "InvalidResponse");
        assert.equal(e.retryable, false);
        assert.match(
          e.message,
          /asked for bytes \d+-\d+ of \d+ but got a 206 with Content-Range "bytes 0-/,
        );
        return true;
      },
    );
  } finally {
    await s3.close();
  }
});

Deno.test("readRun() refuses an object that changed since it was listed", async (t) => {
  await t.step("another ETag", async () => {
    await using s3 = await FakeS3.start();
    plainRun(s3);
    const otherEtag: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).includes("list-type")) return response;
      const headers = new Headers(response.headers);
      headers.set("etag", '"0123456789abcdef0123456789abcdef"');
      return new Response(response.body, { status: response.status, headers });
    };
    await assert.rejects(
      Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions({ fetch: otherEtag }))),
      (e: unknown) =>
        e instanceof S3Error && e.code === "InvalidResponse" &&
        /the object changed since it was listed/.test(e.message),
    );
  });
  await t.step("more bytes than listed", async () => {
    await using s3 = await FakeS3.start();
    plainRun(s3);
    const longer: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).includes("list-type")) return response;
      const body = new Uint8Array([...new Uint8Array(await response.arrayBuffer()), 10, 10]);
      const headers = new Headers(response.headers);
      headers.delete("content-length");
      return new Response(body, { status: response.status, headers });
    };
    await assert.rejects(
      Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions({ fetch: longer }))),
      (e: unknown) =>
        e instanceof S3Error && e.code === "InvalidResponse" &&
        /the body is longer than the listed/.test(e.message),
    );
  });
  await t.step("a Content-Length above the listed size", async () => {
    const s3 = await FakeS3.start({
      faults: onGet(() => true, () => {
        const object = s3.get("bucket", `${RUN}part-00000`)!;
        return {
          status: 200,
          body: new Uint8Array([...object.body, 10]),
          headers: { etag: object.etag },
        };
      }),
    });
    try {
      plainRun(s3);
      await assert.rejects(
        Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions())),
        (e: unknown) =>
          e instanceof S3Error && e.code === "InvalidResponse" &&
          /Content-Length \d+ but \d+ bytes were expected/.test(e.message),
      );
    } finally {
      await s3.close();
    }
  });
});

Deno.test("readRun() resumes a body that stalls past the idle timeout", async () => {
  await using s3 = await FakeS3.start({ faults: onGet((_r, n) => n === 0, () => "stall") });
  const { text } = plainRun(s3);
  const results = await Array.fromAsync(
    readRun(`s3://bucket/${RUN}`, s3.awsOptions({ idleTimeoutMs: 300 })),
  );
  assert.deepEqual(results.map((r) => r.line), lineNumbers(text));
  const ranged = s3.requests.filter((r) => r.operation === "GetObject" && r.status === 206);
  assert.equal(ranged.length, 1);
});

Deno.test("readRun() fails with RequestTimeout when a body keeps stalling", async () => {
  await using s3 = await FakeS3.start({ faults: onGet(() => true, () => "stall") });
  plainRun(s3);
  const options = s3.awsOptions({
    idleTimeoutMs: 300,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
  });
  await assert.rejects(Array.fromAsync(readRun(`s3://bucket/${RUN}`, options)), (e: unknown) => {
    assert.ok(e instanceof S3Error, String(e));
    assert.equal(e.code, "RequestTimeout");
    assert.match(e.message, /the body stalled 2 times/);
    return true;
  });
});

Deno.test("readRun() fails with RequestTimeout when the headers never come", async () => {
  await using s3 = await FakeS3.start({ faults: onGet(() => true, () => "hang") });
  plainRun(s3);
  const options = s3.awsOptions({
    idleTimeoutMs: 300,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
  });
  await assert.rejects(
    Array.fromAsync(readRun(`s3://bucket/${RUN}`, options)),
    (e: unknown) => e instanceof S3Error && e.code === "RequestTimeout",
  );
});

Deno.test("readRun() stops a listing whose continuation tokens cycle", async () => {
  await using s3 = await FakeS3.start({ faults: cyclicListing(RUN) });
  await assert.rejects(
    Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions({ filter: () => false }))),
    (e: unknown) =>
      e instanceof S3Error && e.code === "InvalidResponse" && /a listing cycle/.test(e.message),
  );
  assert.equal(s3.attemptCount, 3);
});

Deno.test("readRun() reads an object the runtime decodes (Content-Encoding: gzip)", async () => {
  // Stored gzipped with Content-Encoding metadata: fetch hands over the decoded bytes, which
  // cannot be counted against the stored size.
  const { text } = makeText(11, 30);
  const s3 = await FakeS3.start({
    faults: onGet(() => true, () => {
      const object = s3.get("bucket", `${RUN}part-00000`)!;
      return {
        status: 200,
        body: object.body.slice(),
        headers: { "content-encoding": "gzip", etag: object.etag },
      };
    }),
  });
  try {
    s3.put({ bucket: "bucket", key: `${RUN}part-00000` }, gzipSync(encoder.encode(text)));
    const results = await Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions()));
    assert.deepEqual(results.map((r) => r.line), lineNumbers(text));
  } finally {
    await s3.close();
  }
});

Deno.test("readRun() removes one CR before a line's end, as transform() and the streams do", async () => {
  await using s3 = await FakeS3.start();
  const good = [...generateLines({ seed: 9, count: 40 })].map((g) => g.line);
  const line = good.find((l) => l.endsWith("\t"))!; // true_tstamp empty
  s3.put({ bucket: "bucket", key: `${RUN}part-0` }, `${line}\r\n${line}\r\r\n${line}\r`);
  const results = await Array.fromAsync(readRun(`s3://bucket/${RUN}`, s3.awsOptions()));
  assert.deepEqual(results.map((r) => [r.line, r.event !== undefined]), [
    [1, true],
    [2, false], // the line is `${line}\r`: true_tstamp is "\r"
    [3, true],
  ]);
  assert.equal(results[1].badRow?.raw, `${line}\r`);
  assert.deepEqual(results[0].event, transform(`${line}\r\n`));
  assert.throws(() => transform(`${line}\r\r\n`));
});
