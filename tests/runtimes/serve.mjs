// Serves the default export (a fetch handler) of the ES module given as the first argument on
// 127.0.0.1, on a free port, and prints `{"port":N}` once listening. Deno uses `Deno.serve`,
// Bun `Bun.serve`, Node `node:http`. Stopped with SIGTERM by the test that started it.
import http from "node:http";
import process from "node:process";

const { default: handler } = await import(new URL(process.argv[2], "file:///").href);

if (typeof globalThis.Deno === "object") {
  const server = globalThis.Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => console.log(JSON.stringify({ port })),
  }, handler.fetch);
  globalThis.Deno.addSignalListener("SIGTERM", async () => {
    await server.shutdown();
    globalThis.Deno.exit(0);
  });
} else if (typeof globalThis.Bun === "object") {
  const server = globalThis.Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler.fetch });
  process.on("SIGTERM", () => {
    server.stop(true);
    process.exit(0);
  });
  console.log(JSON.stringify({ port: server.port }));
} else {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).map(([k, v]) => [k, String(v)]),
      body: req.method === "GET" || req.method === "HEAD" ? undefined : new Blob(chunks),
    });
    const response = await handler.fetch(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(new Uint8Array(await response.arrayBuffer()));
  });
  server.listen(0, "127.0.0.1", () => {
    console.log(JSON.stringify({ port: server.address().port }));
  });
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
