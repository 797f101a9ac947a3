// A static server for the built app: SPA fallback to index.html, correct MIME types, and the COOP/COEP headers
// that make the page cross-origin isolated (5 µs timers). Used by the browser tests and by `make bench`.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serves `root` on 127.0.0.1 at a free port, under the path `prefix` (e.g. "/softscope" for a sub-path build;
 * anything outside it is 404); resolves to { url, close }, `url` including the prefix.
 */
export async function serve(root, { prefix = "" } = {}) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    const full = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    if (!full.startsWith(prefix)) {
      response.writeHead(404, headers).end();
      return;
    }
    const path = full.slice(prefix.length) || "/";
    let file = normalize(join(base, path));
    if (!file.startsWith(base)) {
      response.writeHead(403, headers).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error("not a file");
    } catch {
      // Client-side routes (/softmax, /no-such-lab) are answered by the app itself.
      file = join(base, "index.html");
    }
    const body = await readFile(file);
    response.writeHead(200, { ...headers, "Content-Type": MIME[extname(file)] ?? "application/octet-stream" });
    response.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${prefix}`, close: () => new Promise((ok) => server.close(ok)) };
}

/** Launch options for Debian's chromium on a machine with no network but the loopback. */
export const chromiumOptions = {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};
