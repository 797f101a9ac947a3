// Softscope's service worker: once a page has loaded, every lab keeps working offline.
//
// On install it caches the app shell (index.html) and every asset the shell names, plus the training worker's
// files, which the page only fetches when training starts. Files with a content hash in their name never change:
// they are served from the cache first. Everything else (the shell, the worker files, the manifest) goes to the
// network first and falls back to the cache, so an online reader always gets the newest build.
const CACHE = "softscope-v1";
const SHELL = "./";
const WORKER_FILES = ["worker_loader.js", "worker.js", "worker_bg.wasm", "manifest.webmanifest"];
const HASHED = /-[0-9a-f]{16}(_bg)?\.[a-z]+$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const shell = await fetch(SHELL, { cache: "no-store" });
      const html = await shell.clone().text();
      await cache.put(SHELL, shell);
      const named = [...html.matchAll(/(?:href|src)="([^"#?]+)"/g)]
        .map((m) => new URL(m[1], self.registration.scope))
        .filter((u) => u.origin === self.location.origin && u.pathname !== new URL(SHELL, self.registration.scope).pathname);
      await cache.addAll([...new Set([...named.map((u) => u.href), ...WORKER_FILES.map((f) => new URL(f, self.registration.scope).href)])]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      // Client-side routes (/softmax?…) are all the same shell.
      const key = request.mode === "navigate" ? SHELL : request;
      if (HASHED.test(url.pathname)) {
        const hit = await cache.match(key);
        if (hit) return hit;
      }
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(key, response.clone());
        return response;
      } catch (offline) {
        const hit = await cache.match(key, { ignoreSearch: request.mode === "navigate" });
        if (hit) return hit;
        throw offline;
      }
    })(),
  );
});
