// Browser tests of the attention lab: the query-norm slider, URL state, exports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useBrowser, drawnPixels } from "../support/browser.mjs";

const { openPage } = useBrowser();

const entropy = async (page, method) =>
  Number(await page.locator(`[data-testid="attention-table"] tr[data-method="${method}"] .entropy`).textContent());

test("raising the query norm lowers softmax entropy and leaves ReLU-linear unchanged", async () => {
  const { page, errors, close } = await openPage("/attention");
  const softmax = await entropy(page, "softmax");
  const relu = await entropy(page, "linear-relu");
  await page.locator('input[data-key="query_scale"]').fill("0.8");
  await page.waitForFunction(() => location.search.includes("query_scale=6.31"));
  assert.ok((await entropy(page, "softmax")) < softmax - 0.5, "softmax gets spikier");
  assert.equal(await entropy(page, "linear-relu"), relu, "ReLU-linear is invariant to the query norm");
  for (const method of ["softmax", "linear-relu", "mala", "nala"]) {
    assert.ok((await drawnPixels(page, `canvas[data-figure="heatmap-${method}"]`)) > 1000, `${method} heatmap`);
  }
  assert.ok((await drawnPixels(page, 'canvas[data-figure="entropy-strip-softmax"]')) > 100, "entropy strip");
  assert.ok((await drawnPixels(page, 'canvas[data-figure="histogram-mala"]')) > 100, "weight histogram");
  await page.hover('canvas[data-figure="heatmap-softmax"]', { position: { x: 5, y: 5 } });
  assert.match(
    await page.locator('.variant-card[data-method="softmax"] .hover-readout').textContent(),
    /^query 0 · key \d+: score [−-]?\d[^,]*, weight \d/,
  );
  assert.deepEqual(errors, []);
  await close();
});

test("slider input is computed at most once per animation frame, and scale-invariant maps are not redrawn", async () => {
  const { page, errors, close } = await openPage("/attention?methods=softmax,linear-relu");
  const softmax = await entropy(page, "softmax");
  const { puts, frames } = await page.evaluate(async () => {
    const puts = {};
    const put = CanvasRenderingContext2D.prototype.putImageData;
    CanvasRenderingContext2D.prototype.putImageData = function (...args) {
      puts[this.canvas.dataset.figure] = (puts[this.canvas.dataset.figure] || 0) + 1;
      return put.apply(this, args);
    };
    let frames = 0;
    const count = () => {
      frames++;
      if (frames < 1000) requestAnimationFrame(count);
    };
    requestAnimationFrame(count);
    // Twenty input events, each in its own task, as a fast drag delivers them.
    const input = document.querySelector('input[data-key="query_scale"]');
    for (let i = 1; i <= 20; i++) {
      input.value = String(0.5 + i / 80);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const during = frames;
    for (let settle = 0; settle < 3; settle++) await new Promise((resolve) => requestAnimationFrame(resolve));
    frames = 1000;
    CanvasRenderingContext2D.prototype.putImageData = put;
    return { puts, frames: during };
  });
  assert.deepEqual(Object.keys(puts), ["heatmap-softmax"], "the ReLU-linear heatmap is not redrawn");
  assert.ok(puts["heatmap-softmax"] <= frames + 2, `${puts["heatmap-softmax"]} redraws in ${frames} frames`);
  assert.ok(puts["heatmap-softmax"] < 20, "input events are coalesced");
  assert.ok((await entropy(page, "softmax")) < softmax, "the newest scale is shown");
  assert.deepEqual(errors, []);
  await close();
});

test("methods and sliders survive a reload", async () => {
  const { page, errors, close } = await openPage("/attention?keys=128&dim=8&queries=100");
  await page.locator('input[data-method="sigmoid"]').check();
  await page.locator('input[data-method="mala"]').uncheck();
  await page.locator('input[data-key="key_spread"]').fill("0.5");
  await page.waitForFunction(() => location.search.includes("key_spread=0.5") && location.search.includes("sigmoid"));
  const table = () => page.locator('[data-testid="attention-table"] tbody').textContent();
  const before = await table();
  assert.match(before, /sigmoid/);
  assert.match(await page.locator('[data-testid="attention-table"] caption').textContent(), /over 100 queries/);
  assert.doesNotMatch(before, /MALA/);
  await page.reload();
  await page.waitForSelector('[data-testid="attention-table"] tbody tr');
  assert.equal(await table(), before);
  assert.deepEqual(errors, []);
  await close();
});

test("the entropy curves export as PNG and CSV", async () => {
  const { page, errors, close } = await openPage("/attention");
  const [png] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="png-attention-entropy.png"]')]);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const [csv] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-testid="download-softscope-attention-curves.csv"]'),
  ]);
  const lines = (await readFile(await csv.path(), "utf8")).trim().split("\n");
  assert.equal(lines[0], "query_scale,softmax,linear-relu,mala,nala");
  assert.equal(lines.length, 26);
  const [json] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-testid="download-softscope-attention-weights.json"]'),
  ]);
  const weights = JSON.parse(await readFile(await json.path(), "utf8"));
  assert.equal(weights.softmax.rows, 32);
  assert.equal(weights.softmax.weights[0].length, 64);
  const rowSum = weights.softmax.weights[0].reduce((a, b) => a + b);
  assert.ok(Math.abs(rowSum - 1) < 1e-5, `softmax rows sum to 1 (${rowSum})`);
  assert.deepEqual(errors, []);
  await close();
});

test("dragging a key in the 2-D mode changes its weight", async () => {
  const { page, errors, close } = await openPage("/attention?methods=softmax,linear-relu");
  const plane = page.locator('canvas[data-figure="attention-plane"]');
  await plane.scrollIntoViewIfNeeded();
  const box = await plane.boundingBox();
  const side = Math.min(box.width, box.height);
  const toPage = (x, y) => [box.x + box.width / 2 + (x / 4) * (side / 2), box.y + box.height / 2 - (y / 4) * (side / 2)];
  const weight = async () => Number(await page.locator('[data-testid="plane-table"] tr[data-key="k1"] td.num').first().textContent());
  const before = await weight();
  const [fx, fy] = toPage(2.0, 0.5);
  const [tx, ty] = toPage(-3.0, -3.0);
  await page.mouse.move(fx, fy);
  await page.mouse.down();
  await page.mouse.move(tx, ty, { steps: 8 });
  await page.mouse.up();
  // The URL follows the drag a moment later: wait for where the key was dropped.
  await page.waitForFunction(() => /^1\.5,1_-[23]/.test(new URLSearchParams(location.search).get("plane")));
  const after = await weight();
  assert.ok(after < before / 2, `k1's softmax weight fell from ${before} to ${after} as it moved away from q`);
  assert.deepEqual(errors, []);
  await close();
});
