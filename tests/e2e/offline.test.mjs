// Offline use: after one visit, the service worker serves the app with the network off, every lab included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useBrowser, drawnPixels } from "../support/browser.mjs";

const { openPage } = useBrowser();

test("a lab that loaded once reloads and trains with the network off", async () => {
  const { page, errors, close } = await openPage("/softmax");
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.context().setOffline(true);
  await page.reload();
  await page.waitForSelector("main h1:has-text('Softmax lab')");
  assert.ok((await drawnPixels(page, 'canvas[data-figure="softmax-probabilities"]')) > 1000);
  // Another route, never visited, and the training worker, never started online.
  await page.goto(page.url().replace("/softmax", "/grokking?p=7&width=16&max_steps=20"));
  await page.waitForSelector("main h1:has-text('Grokking lab')");
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="step-counter"]').textContent === "20");
  await page.context().setOffline(false);
  assert.deepEqual(errors, []);
  await close();
});
