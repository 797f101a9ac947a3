// Browser tests of the grokking lab: training in the worker, run controls, URL state, exports, and a main thread
// that never blocks while the worker trains.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useBrowser, drawnPixels } from "../support/browser.mjs";

const { openPage } = useBrowser();

/** The step counter and the Play button's readiness. */
const step = async (page) => Number(await page.locator('[data-testid="step-counter"]').textContent());
const ready = (page) => page.waitForFunction(() => !document.querySelector('[data-testid="play"]').disabled);

test("a preset trains in the worker: curves drawn, collapse above 0, no long main-thread task", async () => {
  const { page, errors, close } = await openPage("/grokking");
  await ready(page);
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({
      type: "longtask",
    });
  });
  await page.click('[data-preset="f16"]');
  await page.waitForFunction(
    () => {
      const value = [...document.querySelectorAll('[data-testid="run-readouts"] .readout')]
        .find((r) => r.textContent.includes("Softmax Collapse"))
        ?.querySelector(".readout-value").textContent;
      return value && parseFloat(value) > 0;
    },
    null,
    { timeout: 120_000 },
  );
  assert.ok((await step(page)) > 0);
  assert.equal(await page.locator('[data-testid="play"]').textContent(), "Pause");
  // Let it train for a while under observation.
  await page.waitForTimeout(3000);
  for (const figure of ["accuracy", "loss", "collapse-fraction", "norms"]) {
    assert.ok((await drawnPixels(page, `canvas[data-figure="grokking-${figure}"]`)) > 2000, figure);
  }
  const longTasks = await page.evaluate(() => window.__longTasks);
  assert.deepEqual(longTasks.filter((d) => d > 50), [], "main-thread tasks over 50 ms while training");
  assert.match(page.url(), /precision=f16/);
  assert.deepEqual(errors, []);
  await close();
});

test("pause stops the step counter; step advances it by exactly one", async () => {
  const { page, errors, close } = await openPage("/grokking?p=7&width=16&max_steps=100000");
  await ready(page);
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step-counter"]').textContent) > 20);
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="play"]').textContent === "Play");
  const paused = await step(page);
  await page.waitForTimeout(500);
  assert.equal(await step(page), paused, "paused: the counter stays");
  await page.click('[data-testid="step"]');
  await page.waitForFunction((s) => Number(document.querySelector('[data-testid="step-counter"]').textContent) > s, paused);
  await page.waitForTimeout(300);
  assert.equal(await step(page), paused + 1);
  assert.deepEqual(errors, []);
  await close();
});

test("the configuration lives in the URL and a bad one is refused with a message", async () => {
  const { page, errors, close } = await openPage("/grokking");
  await ready(page);
  await page.click('[data-preset="orthograd"]');
  await page.waitForFunction(() => location.search.includes("ortho=1"));
  await page.locator('select[data-key="task"]').selectOption("mul");
  await page.waitForFunction(() => location.search.includes("task=mul"));
  const search = new URL(page.url()).search;
  await page.reload();
  await ready(page);
  assert.equal(new URL(page.url()).search, search);
  assert.equal(await page.locator('select[data-key="task"]').inputValue(), "mul");
  assert.equal(await page.locator('input[data-key="ortho"]').isChecked(), true);
  // Division needs a prime modulus: p = 30 is refused before anything trains.
  const bad = await openPage("/grokking?task=div&p=30");
  await bad.page.waitForSelector('[data-testid="run-error"]');
  assert.match(await bad.page.locator('[data-testid="run-error"]').textContent(), /prime/);
  assert.equal(await bad.page.locator('[data-testid="play"]').isDisabled(), true);
  await bad.close();
  assert.deepEqual(errors, []);
  await close();
});

test("a run exports as CSV", async () => {
  const { page, errors, close } = await openPage("/grokking?p=7&width=16&log_every=1&max_steps=30");
  await ready(page);
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="step-counter"]').textContent) === 30);
  const [csv] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-testid="download-softscope-grokking-run.csv"]'),
  ]);
  const lines = (await readFile(await csv.path(), "utf8")).trim().split("\n");
  assert.match(lines[0], /^step,train_loss,train_acc,test_loss,test_acc,collapse,zero_loss/);
  assert.equal(lines.length, 31);
  assert.equal(lines[30].split(",")[0], "30");
  assert.deepEqual(errors, []);
  await close();
});
