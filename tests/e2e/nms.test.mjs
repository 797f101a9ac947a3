// Browser tests of the Soft-NMS lab: dragging boxes, stepping the algorithm, URL state, JSON export and import.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useBrowser, settledSearch } from "../support/browser.mjs";

const { openPage } = useBrowser();
const SCENE_W = 640;

/** ALGORITHMS.md §5.5 boxes A–E in the URL form. */
const FIXTURE = "0,0,10,10,0.95_1,1,11,11,0.9_5,0,15,10,0.8_20,20,30,30,0.7_0,0,10,10,0.3";

/** The results table as rows of { box, corners, before, after }. */
async function results(page) {
  return page.$$eval('[data-testid="results-table"] tbody tr', (rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll("td")].map((td) => td.textContent);
      return { box: Number(cells[1]), corners: cells[2], before: Number(cells[3]), after: Number(cells[4]) };
    }),
  );
}

/** Page coordinates of a scene point on the scene canvas. */
async function scenePoint(page, x, y) {
  const rect = await page.locator('canvas[data-figure="nms-scene"]').boundingBox();
  const scale = rect.width / SCENE_W;
  return [rect.x + x * scale, rect.y + y * scale];
}

/** IoU with the paper's +1 pixel convention. */
function iouPlusOne(a, b) {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  if (iw <= 0 || ih <= 0) return 0;
  const area = (r) => (r[2] - r[0] + 1) * (r[3] - r[1] + 1);
  return (iw * ih) / (area(a) + area(b) - iw * ih);
}

const corners = (text) => text.split(/[–,]/).map((v) => Number(v.trim()));

test("dragging a box onto another decays the lower one by exp(−IoU²/σ)", async () => {
  const { page, errors, close } = await openPage("/nms?boxes=100,100,200,200,0.9_400,100,500,200,0.8");
  let rows = await results(page);
  assert.deepEqual(rows.map((r) => [r.box, r.after]), [[0, 0.9], [1, 0.8]], "apart, nothing decays");

  const [fromX, fromY] = await scenePoint(page, 450, 150);
  const [toX, toY] = await scenePoint(page, 180, 165);
  await page.mouse.move(fromX, fromY);
  await page.mouse.down();
  await page.mouse.move((fromX + toX) / 2, (fromY + toY) / 2, { steps: 4 });
  await page.mouse.move(toX, toY, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => !location.search.includes("400,100,500,200"));

  rows = await results(page);
  const kept = Object.fromEntries(rows.map((r) => [r.box, r]));
  const iou = iouPlusOne(corners(kept[0].corners), corners(kept[1].corners));
  assert.ok(iou > 0.3, `the boxes overlap after the drag (IoU ${iou})`);
  const expected = 0.8 * Math.exp(-(iou * iou) / 0.5);
  assert.ok(Math.abs(kept[1].after - expected) < 1.5e-4, `after ${kept[1].after}, expected ${expected.toFixed(4)}`);
  assert.equal(kept[0].after, 0.9);
  assert.match(await page.locator('[data-testid="reference-verdict"]').textContent(), /^✓/);
  assert.deepEqual(errors, []);
  await close();
});

test("the animation steps forward and back through the reference trace", async () => {
  const { page, errors, close } = await openPage(`/nms?boxes=${FIXTURE}&method=linear`);
  const label = page.locator('[data-testid="step-label"]');
  const summary = page.locator('[data-testid="step-summary"]');
  assert.equal(await label.textContent(), "step 0 of 4");
  await page.click('[data-testid="step-forward"]');
  assert.equal(await label.textContent(), "step 1 of 4");
  assert.match(await summary.textContent(), /^Step 1: box 0 \(score 0\.9500/);
  const table = await page.locator('[data-testid="step-table"]').textContent();
  assert.match(table, /1 − IoU/);
  assert.match(table, /discarded/, "E, the duplicate of A, falls to 0");
  await page.click('[data-testid="step-forward"]');
  assert.equal(await label.textContent(), "step 2 of 4");
  assert.match(await summary.textContent(), /^Step 2: box 3 /);
  await page.waitForFunction(() => location.search.includes("step=2"));
  await page.click('[data-testid="step-back"]');
  assert.equal(await label.textContent(), "step 1 of 4");
  assert.match(await summary.textContent(), /^Step 1: box 0 /);
  assert.deepEqual(
    (await results(page)).map((r) => [r.box, r.after]),
    [[0, 0.95], [3, 0.7], [2, 0.5], [1, 0.1579]],
    "linear Soft-NMS with +1 matches the reference fixture",
  );
  assert.deepEqual(errors, []);
  await close();
});

test("a keyboard edit lands in the URL and a reload restores the same scene", async () => {
  const { page, errors, close } = await openPage("/nms?objects=3&per_object=5&seed=7");
  const before = await results(page);
  await page.focus(".scene-editor");
  await page.keyboard.press("]");
  await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("+");
  assert.match(await settledSearch(page), /boxes=/);
  const edited = await results(page);
  assert.notDeepEqual(edited, before);
  await page.reload();
  await page.waitForSelector('[data-testid="results-table"] tbody tr');
  assert.deepEqual(await results(page), edited);
  assert.deepEqual(errors, []);
  await close();
});

test("a scene exported as JSON imports again into a fresh page", async () => {
  const { page, errors, close } = await openPage("/nms?objects=4&per_object=5&seed=11&method=linear");
  const exported = await results(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export-json"]')]);
  assert.equal(download.suggestedFilename(), "softscope-nms-scene.json");
  const path = await download.path();
  const json = JSON.parse(await readFile(path, "utf8"));
  assert.equal(json.format, "softscope-nms-scene/1");
  assert.equal(json.boxes.length, 20);

  const [csv] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export-csv"]')]);
  const lines = (await readFile(await csv.path(), "utf8")).trim().split("\n");
  assert.equal(lines[0], "rank,box,x1,y1,x2,y2,score_before,score_after");
  assert.equal(lines.length, exported.length + 1);

  const [png] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export-png"]')]);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

  const fresh = await openPage("/nms?method=linear");
  assert.notDeepEqual(await results(fresh.page), exported);
  await fresh.page.setInputFiles('[data-testid="import-json"]', path);
  await fresh.page.waitForFunction(() => location.search.includes("boxes="));
  assert.deepEqual(await results(fresh.page), exported);
  assert.deepEqual(fresh.errors, []);
  await fresh.close();
  assert.deepEqual(errors, []);
  await close();
});

test("bad scenes are refused with a message, never a broken page", async () => {
  const { page, errors, close } = await openPage("/nms?boxes=1,2,3&nt=7&method=fancy");
  const notice = await page.locator('[data-testid="url-notice"]').textContent();
  assert.match(notice, /boxes=1,2,3/);
  assert.match(notice, /nt=7/);
  assert.match(notice, /method=fancy/);
  assert.ok((await results(page)).length > 0, "the default scene is shown instead");
  await page.setInputFiles('[data-testid="import-json"]', {
    name: "broken.json",
    mimeType: "application/json",
    buffer: Buffer.from('{"boxes": [{"x1": 1}]}'),
  });
  await page.waitForSelector("text=Could not import");
  assert.deepEqual(errors, []);
  await close();
});
