/**
 * Reading the self-describing columns and shredding them (docs/contract.md §2 and §3.3).
 */

import assert from "node:assert/strict";
import {
  entityData,
  readContexts,
  readUnstruct,
  schemaInfo,
  shredContexts,
  shredContextsText,
  shredUnstruct,
  shredUnstructText,
} from "../../src/event/shred.ts";
import type { Contexts, UnstructEvent } from "../../src/event/self_describing.ts";

const CONTEXTS_ENVELOPE = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0";
const UNSTRUCT_ENVELOPE = "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0";

function contextsText(data: unknown, schema = CONTEXTS_ENVELOPE): string {
  return JSON.stringify({ schema, data });
}

function unstructText(data: unknown, schema = UNSTRUCT_ENVELOPE): string {
  return JSON.stringify({ schema, data });
}

Deno.test("schemaInfo() gives the key and both column names of a valid URI", () => {
  const info = schemaInfo("iglu:org.w3/PerformanceTiming/jsonschema/1-0-0");
  assert.ok(info !== null);
  assert.equal(info.key.vendor, "org.w3");
  assert.equal(info.key.version, "1-0-0");
  assert.equal(info.contextsColumn, "contexts_org_w3_performance_timing_1");
  assert.equal(info.unstructColumn, "unstruct_event_org_w3_performance_timing_1");
  assert.equal(schemaInfo("iglu:org.w3/PerformanceTiming/jsonschema/1-0-0"), info);
});

Deno.test("schemaInfo() returns null for an invalid URI, also when asked again", () => {
  assert.equal(schemaInfo("iglu:com.acme/ctx/jsonschema/01-0-0"), null);
  assert.equal(schemaInfo("iglu:com.acme/ctx/jsonschema/01-0-0"), null);
});

Deno.test("schemaInfo() answers each URI right when many share the fast cache's slots", () => {
  // 3,000 URIs for 1,024 slots: most collide, and each must still get its own columns, also
  // when the strings are fresh copies (as JSON.parse makes them) and when they are short.
  const uris = Array.from(
    { length: 3000 },
    (_, i) => `iglu:com.acme/e${i}/jsonschema/${1 + i % 9}-0-0`,
  );
  for (let round = 0; round < 2; round++) {
    for (const [i, uri] of uris.entries()) {
      const info = schemaInfo(JSON.parse(JSON.stringify(uri)));
      assert.equal(info?.contextsColumn, `contexts_com_acme_e${i}_${1 + i % 9}`);
    }
  }
  assert.equal(schemaInfo("iglu:a/b/c/1"), null);
  assert.equal(schemaInfo(""), null);
  assert.equal(schemaInfo("iglu:a/b/jsonschema/1-0-0")?.unstructColumn, "unstruct_event_a_b_1");
});

Deno.test("readContexts() returns the parsed column when every entity is self-describing", () => {
  const data = [
    { schema: "iglu:com.acme/a/jsonschema/1-0-0", data: { x: 1 } },
    { schema: "iglu:com.acme/b/jsonschema/2-1-0", data: null },
  ];
  assert.deepEqual(readContexts(contextsText(data)), { schema: CONTEXTS_ENVELOPE, data });
  assert.deepEqual(readContexts(contextsText([])), { schema: CONTEXTS_ENVELOPE, data: [] });
});

Deno.test("readContexts() does not check the envelope schema", async (t) => {
  for (const schema of [UNSTRUCT_ENVELOPE, "not even a URI", ""]) {
    await t.step(JSON.stringify(schema), () => {
      const text = contextsText([{ schema: "iglu:com.acme/a/jsonschema/1-0-0", data: {} }], schema);
      assert.equal(typeof readContexts(text), "object");
    });
  }
});

Deno.test("readContexts() says what is wrong with an invalid column", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["not JSON", "{not json", /^invalid JSON/],
    ["truncated JSON", contextsText([]).slice(0, -1), /^invalid JSON/],
    ["a JSON array", "[]", /"data" is an array/],
    ["a JSON string", '"x"', /"data" is an array/],
    ["null", "null", /"data" is an array/],
    ["data missing", JSON.stringify({ schema: CONTEXTS_ENVELOPE }), /"data" is an array/],
    [
      "data an object",
      contextsText({ schema: "iglu:com.acme/a/jsonschema/1-0-0", data: {} }),
      /"data" is an array/,
    ],
    ["entity not an object", contextsText([1]), /data\[0\] is not self-describing/],
    ["entity an array", contextsText([[]]), /data\[0\] is not self-describing/],
    [
      "entity without data",
      contextsText([{ schema: "iglu:com.acme/a/jsonschema/1-0-0" }]),
      /data\[0\] is not self-describing/,
    ],
    ["entity without schema", contextsText([{ data: {} }]), /data\[0\]\.schema is not a string/],
    [
      "schema a number",
      contextsText([{ schema: 1, data: {} }]),
      /data\[0\]\.schema is not a string/,
    ],
    [
      "second entity with a bad URI",
      contextsText([
        { schema: "iglu:com.acme/a/jsonschema/1-0-0", data: {} },
        { schema: "iglu:com.acme/a/jsonschema/1-0-00", data: {} },
      ]),
      /data\[1\]\.schema "iglu:com\.acme\/a\/jsonschema\/1-0-00" is not a valid Iglu URI/,
    ],
  ];
  for (const [label, text, message] of cases) {
    await t.step(label, () => {
      const result = readContexts(text);
      assert.equal(typeof result, "string");
      assert.match(result as string, message);
    });
  }
});

Deno.test("readUnstruct() returns the parsed column with one self-describing event", () => {
  const event = { schema: "iglu:com.acme/click/jsonschema/1-0-0", data: { x: [1, 2] } };
  assert.deepEqual(readUnstruct(unstructText(event)), { schema: UNSTRUCT_ENVELOPE, data: event });
  // the envelope schema is not checked
  assert.deepEqual(readUnstruct(unstructText(event, CONTEXTS_ENVELOPE)), {
    schema: CONTEXTS_ENVELOPE,
    data: event,
  });
});

Deno.test("readUnstruct() says what is wrong with an invalid column", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["not JSON", "{", /^invalid JSON/],
    ["a JSON array", "[1]", /"data" is one self-describing JSON/],
    ["data missing", JSON.stringify({ schema: UNSTRUCT_ENVELOPE }), /data is not self-describing/],
    [
      "data an array",
      unstructText([{ schema: "iglu:com.acme/a/jsonschema/1-0-0", data: {} }]),
      /data is not self-describing/,
    ],
    ["data a string", unstructText("x"), /data is not self-describing/],
    [
      "inner data missing",
      unstructText({ schema: "iglu:com.acme/a/jsonschema/1-0-0" }),
      /data is not self-describing/,
    ],
    ["inner schema missing", unstructText({ data: {} }), /data\.schema is not a string/],
    [
      "bad inner URI",
      unstructText({ schema: "iglu:com.acme/a/jsonschema/0-0-0", data: {} }),
      /data\.schema .* is not a valid Iglu URI/,
    ],
  ];
  for (const [label, text, message] of cases) {
    await t.step(label, () => {
      const result = readUnstruct(text);
      assert.equal(typeof result, "string");
      assert.match(result as string, message);
    });
  }
});

Deno.test("readContexts() quotes at most 80 characters of a bad URI", () => {
  const schema = `iglu:com.acme/${"x".repeat(200)}/jsonschema/1.0.0`;
  const result = readContexts(contextsText([{ schema, data: {} }]));
  assert.equal(typeof result, "string");
  assert.ok(!(result as string).includes(schema));
  assert.ok((result as string).includes(`${JSON.stringify(schema.slice(0, 80)).slice(0, -1)}…"`));
});

Deno.test("entityData() puts _schema_version first only when asked and only into objects", () => {
  const info = schemaInfo("iglu:com.acme/a/jsonschema/1-2-3")!;
  const entity = { schema: "iglu:com.acme/a/jsonschema/1-2-3", data: { b: 1, a: 2 } };
  assert.equal(entityData(entity, info, false), entity.data);
  const versioned = entityData(entity, info, true) as Record<string, unknown>;
  assert.deepEqual(versioned, { _schema_version: "1-2-3", b: 1, a: 2 });
  assert.deepEqual(Object.keys(versioned), ["_schema_version", "b", "a"]);
  assert.deepEqual(entity.data, { b: 1, a: 2 }, "the entity is not modified");
  for (const data of [[1, 2], 5, "s", null, true]) {
    assert.equal(entityData({ schema: entity.schema, data }, info, true), data);
  }
});

Deno.test("entityData() keeps the URI's version when the data already has _schema_version", () => {
  const info = schemaInfo("iglu:com.acme/a/jsonschema/1-2-3")!;
  const data = { a: 1, _schema_version: "9-9-9" };
  const versioned = entityData({ schema: "iglu:com.acme/a/jsonschema/1-2-3", data }, info, true);
  assert.deepEqual(Object.entries(versioned as object), [["_schema_version", "1-2-3"], ["a", 1]]);
});

Deno.test("entityData() keeps a __proto__ member of the data as data", () => {
  const info = schemaInfo("iglu:com.acme/a/jsonschema/1-0-0")!;
  const data = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
  const versioned = entityData({ schema: "iglu:com.acme/a/jsonschema/1-0-0", data }, info, true);
  assert.equal(
    JSON.stringify(versioned),
    '{"_schema_version":"1-0-0","__proto__":{"polluted":true},"a":1}',
  );
});

Deno.test("shredContexts() merges entities of one column in order and overwrites nothing", () => {
  const contexts: Contexts = {
    schema: CONTEXTS_ENVELOPE,
    data: [
      { schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: 1 } },
      { schema: "iglu:com.acme/page/jsonschema/1-0-0", data: { p: "/" } },
      { schema: "iglu:com.acme/user/jsonschema/1-1-0", data: { id: 2 } },
      { schema: "iglu:com.acme/user/jsonschema/2-0-0", data: { id: 3 } },
    ],
  };
  const derived: Contexts = {
    schema: CONTEXTS_ENVELOPE,
    data: [{ schema: "iglu:com.acme/user/jsonschema/1-0-1", data: { id: 4 } }],
  };
  const out: Record<string, unknown> = { app_id: "x" };
  shredContexts(contexts, out, false);
  shredContexts(derived, out, false);
  assert.deepEqual(out, {
    app_id: "x",
    contexts_com_acme_user_1: [{ id: 1 }, { id: 2 }, { id: 4 }],
    contexts_com_acme_page_1: [{ p: "/" }],
    contexts_com_acme_user_2: [{ id: 3 }],
  });
  assert.deepEqual(Object.keys(out), [
    "app_id",
    "contexts_com_acme_user_1",
    "contexts_com_acme_page_1",
    "contexts_com_acme_user_2",
  ]);
});

Deno.test("shredContexts() adds _schema_version with the option", () => {
  const out: Record<string, unknown> = {};
  shredContexts(
    {
      schema: CONTEXTS_ENVELOPE,
      data: [
        { schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: 1 } },
        { schema: "iglu:com.acme/user/jsonschema/1-0-2", data: { id: 2 } },
      ],
    },
    out,
    true,
  );
  assert.deepEqual(out, {
    contexts_com_acme_user_1: [{ _schema_version: "1-0-0", id: 1 }, {
      _schema_version: "1-0-2",
      id: 2,
    }],
  });
});

Deno.test("shredContexts() adds no key for an empty data array", () => {
  const out: Record<string, unknown> = {};
  shredContexts({ schema: CONTEXTS_ENVELOPE, data: [] }, out, true);
  assert.deepEqual(out, {});
});

Deno.test("shredContexts() throws a TypeError for an edited entity with an invalid URI", () => {
  assert.throws(
    () =>
      shredContexts({ schema: CONTEXTS_ENVELOPE, data: [{ schema: "nope", data: {} }] }, {}, false),
    TypeError,
  );
});

Deno.test("shredUnstruct() puts the inner data, unchanged, under unstruct_event_<vendor>_<name>_<model>", () => {
  const data = { targetUrl: "https://example.com", elementClasses: ["a"], _schema_version: "x" };
  const event: UnstructEvent = {
    schema: UNSTRUCT_ENVELOPE,
    data: { schema: "iglu:com.snowplowanalytics.snowplow/link_click/jsonschema/1-0-1", data },
  };
  const out: Record<string, unknown> = {};
  shredUnstruct(event, out);
  assert.deepEqual(out, { unstruct_event_com_snowplowanalytics_snowplow_link_click_1: data });
});

Deno.test("shredContextsText() reads and shreds in one pass", () => {
  const out: Record<string, unknown> = { contexts_com_acme_user_1: [{ id: 0 }] };
  const problem = shredContextsText(
    contextsText([
      { schema: "iglu:com.acme/user/jsonschema/1-0-0", data: { id: 1 } },
      { schema: "iglu:org.w3/PerformanceTiming/jsonschema/1-0-0", data: { a: 1 } },
    ]),
    out,
    true,
  );
  assert.equal(problem, undefined);
  assert.deepEqual(out, {
    contexts_com_acme_user_1: [{ id: 0 }, { _schema_version: "1-0-0", id: 1 }],
    contexts_org_w3_performance_timing_1: [{ _schema_version: "1-0-0", a: 1 }],
  });
});

Deno.test("shredContextsText() returns the same problem as readContexts()", async (t) => {
  const texts = [
    "{x",
    "[]",
    contextsText({}),
    contextsText([1]),
    contextsText([{ schema: 1, data: 1 }]),
    contextsText([{ schema: "iglu:com.acme/a/jsonschema/1-0-0", data: 1 }, {
      schema: "iglu:bad",
      data: 1,
    }]),
    contextsText([{ schema: "iglu:com.acme/a/jsonschema/1-0-0" }]),
  ];
  for (const text of texts) {
    await t.step(text, () => {
      const problem = shredContextsText(text, {}, false);
      assert.equal(typeof problem, "string");
      assert.equal(problem, readContexts(text));
    });
  }
});

Deno.test("shredUnstructText() reads and shreds, or returns the problem", () => {
  const out: Record<string, unknown> = {};
  const text = unstructText({ schema: "iglu:com.acme/click/jsonschema/2-0-0", data: { x: 1 } });
  assert.equal(shredUnstructText(text, out), undefined);
  assert.deepEqual(out, { unstruct_event_com_acme_click_2: { x: 1 } });
  const bad = unstructText({ schema: "iglu:com.acme/click/jsonschema/2-0", data: {} });
  assert.equal(shredUnstructText(bad, {}), readUnstruct(bad));
  assert.match(shredUnstructText(bad, {})!, /not a valid Iglu URI/);
});

Deno.test("entityData() keeps a __proto__ member where Object.prototype.__proto__ is a setter", async () => {
  // Deno removes the __proto__ accessor; Node, Bun, browsers and workerd keep it. Run the same
  // check with standard semantics (--unsafe-proto) in a child process.
  const shred = new URL("../../src/event/shred.ts", import.meta.url).href;
  const code = `
    import { entityData, schemaInfo } from ${JSON.stringify(shred)};
    const uri = "iglu:com.acme/a/jsonschema/1-0-0";
    const data = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
    console.log(JSON.stringify(entityData({ schema: uri, data }, schemaInfo(uri), true)));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--unsafe-proto", "--no-config", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(
    new TextDecoder().decode(output.stdout).trim(),
    '{"_schema_version":"1-0-0","__proto__":{"polluted":true},"a":1}',
  );
});
