// The build for a sub-path (`trunk build --release --public-url /softscope/`, made by `make test`), served under
// /softscope/: routes, assets and the training worker all resolve there.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { serve, chromiumOptions } from "../support/server.mjs";

const shared = {};
before(async () => {
  shared.server = await serve("dist-subpath", { prefix: "/softscope" });
  shared.browser = await chromium.launch(chromiumOptions);
});
after(async () => {
  await shared.browser?.close();
  await shared.server?.close();
});

test("the sub-path build routes, loads its assets and trains in its worker", async () => {
  const page = await shared.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${shared.server.url}/`);
  await page.waitForSelector(".cards .card");
  await page.click('nav a:has-text("Attention lab")');
  await page.waitForSelector('[data-testid="attention-table"] tbody tr');
  assert.equal(new URL(page.url()).pathname, "/softscope/attention");
  await page.goto(`${shared.server.url}/grokking?p=7&width=16&max_steps=50`);
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="step-counter"]').textContent === "50", null, {
    timeout: 30_000,
  });
  await page.goto(`${shared.server.url}/no-such-lab`);
  await page.waitForSelector('[data-testid="not-found"]');
  await page.click('[data-testid="not-found"] a:has-text("Soft-NMS lab")');
  await page.waitForSelector("main h1:has-text('Soft-NMS lab')");
  assert.equal(new URL(page.url()).pathname, "/softscope/nms");
  assert.deepEqual(errors, []);
  await page.close();
});
