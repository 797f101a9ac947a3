// Browser tests of the softmax lab: dragging a logit, temperature, the precision panel, URL state, exports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useBrowser, settledSearch } from "../support/browser.mjs";

const { openPage } = useBrowser();

const readout = (page, label) =>
  page.locator(`[data-testid="softmax-readouts"] .readout:has-text("${label}") .readout-value`).textContent();

test("dragging a logit bar up raises its probability", async () => {
  const { page, errors, close } = await openPage("/softmax?n=8&seed=3");
  const before = Number(await readout(page, "max probability"));
  const box = await page.locator('canvas[data-figure="softmax-logits"]').boundingBox();
  // Bar 0 sits in the first eighth of the plotting area (which starts 52 px in from the left).
  const x = box.x + 52 + (box.width - 60) / 16;
  await page.mouse.move(x, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(x, box.y + 30, { steps: 5 });
  await page.mouse.move(x, box.y + 12, { steps: 5 });
  await page.mouse.up();
  const logits = new URLSearchParams(await settledSearch(page)).get("logits").split(",").map(Number);
  assert.equal(logits.length, 8);
  assert.equal(Math.max(...logits), logits[0], `bar 0 became the largest logit: ${logits}`);
  const after = Number(await readout(page, "max probability"));
  assert.notEqual(after, before);
  // Cross-check the page against softmax computed here from the edited logits.
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - m));
  const expected = e[0] / e.reduce((a, b) => a + b);
  assert.ok(Math.abs(after - expected) < 1e-3, `max probability ${after}, expected ${expected}`);
  assert.deepEqual(errors, []);
  await close();
});

test("the temperature slider sharpens and flattens the distribution", async () => {
  const { page, errors, close } = await openPage("/softmax?logits=1,2,3");
  assert.equal(await readout(page, "entropy H"), "0.8324", "ALGORITHMS.md §1.7");
  await page.locator('input[data-key="temperature"]').fill(String(Math.log10(0.5)));
  await page.waitForFunction(() => location.search.includes("temperature=0.5"));
  assert.equal(await readout(page, "entropy H"), "0.4411");
  await page.locator('input[data-key="temperature"]').fill(String(Math.log10(2)));
  assert.equal(await readout(page, "entropy H"), "1.020");
  await page.locator('input[data-key="temperature"]').focus();
  await page.keyboard.press("End");
  assert.match(await page.locator('input[data-key="temperature"]').getAttribute("aria-valuetext"), /^temperature 100/);
  assert.deepEqual(errors, []);
  await close();
});

test("float16 shows the absorption notice at its gap of 7.62", async () => {
  const { page, errors, close } = await openPage("/softmax?logits=0,-8");
  const notice = page.locator('[data-testid="absorption-notice"]');
  assert.match(await notice.textContent(), /float32, 1 \+ e\^\(−g\) rounds to exactly 1 once the gap g ≥ 16\.64/);
  assert.match(await notice.textContent(), /g = 8\.00, so nothing is absorbed yet/);
  await page.selectOption('select[data-key="precision"]', "f16");
  await page.waitForFunction(() => location.search.includes("precision=f16"));
  assert.match(await notice.textContent(), /float16, 1 \+ e\^\(−g\) rounds to exactly 1 once the gap g ≥ 7\.62/);
  assert.match(await notice.textContent(), /g = 8\.00, so the runner-up's term is absorbed/);
  // The table shows the absorbed term for float16 and none for float32.
  const shiftedRow = await page.locator('[data-testid="precision-table"] tr:has-text("max-shifted")').textContent();
  assert.match(shiftedRow, /1 absorbed/);
  assert.deepEqual(errors, []);
  await close();
});

test("naive softmax overflows where the shifted one does not", async () => {
  const { page, errors, close } = await openPage("/softmax?logits=1001,1002,1003");
  assert.match(await page.locator('[data-testid="overflow-notice"]').textContent(), /^Overflow: the largest logit\/T is 1003\.00/);
  const naive = await page.locator('[data-testid="precision-table"] tr:has-text("naive")').textContent();
  assert.match(naive, /overflow/);
  const shifted = await page.locator('[data-testid="precision-table"] tr:has-text("max-shifted")').textContent();
  assert.doesNotMatch(shifted, /overflow/);
  assert.deepEqual(errors, []);
  await close();
});

test("the URL restores every setting after a reload", async () => {
  const { page, errors, close } = await openPage("/softmax");
  await page.selectOption('select[data-key="shape"]', "spiky");
  await page.locator("#control-seed").fill("42");
  await page.locator("#control-seed").press("Enter");
  await page.locator('input[data-key="temperature"]').fill("-0.3");
  await page.selectOption('select[data-key="precision"]', "bf16");
  await page.selectOption('select[data-key="algorithm"]', "online");
  await page.locator('.variant-toggles label:has-text("StableMax") input').uncheck();
  await page.waitForFunction(() => location.search.includes("algorithm=online") && location.search.includes("variants="));
  const snapshot = async () => ({
    entropy: await readout(page, "entropy H"),
    max: await readout(page, "max probability"),
    shape: await page.inputValue('select[data-key="shape"]'),
    precision: await page.inputValue('select[data-key="precision"]'),
    algorithm: await page.inputValue('select[data-key="algorithm"]'),
    cards: await page.locator(".variant-card").count(),
    absorption: await page.locator('[data-testid="absorption-notice"]').textContent(),
  });
  const before = await snapshot();
  assert.equal(before.cards, 7);
  await page.reload();
  await page.waitForSelector('[data-testid="softmax-readouts"]');
  assert.deepEqual(await snapshot(), before);
  assert.deepEqual(errors, []);
  await close();
});

test("a figure exports as PNG and the numbers as CSV", async () => {
  const { page, errors, close } = await openPage("/softmax?n=10&seed=5");
  const [png] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-testid="png-softmax-probabilities.png"]'),
  ]);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(bytes.length > 2000, "a real figure, not an empty canvas");
  const [csv] = await Promise.all([
    page.waitForEvent("download"),
    page.click('[data-testid="download-softscope-softmax.csv"]'),
  ]);
  const lines = (await readFile(await csv.path(), "utf8")).trim().split("\n");
  assert.equal(lines[0], "index,logit,softmax,log_softmax,stablemax,sparsemax,entmax15,sigmoid,softplus,relu");
  assert.equal(lines.length, 11);
  const sum = lines.slice(1).map((l) => Number(l.split(",")[2])).reduce((a, b) => a + b);
  assert.ok(Math.abs(sum - 1) < 1e-5, `softmax column sums to ${sum}`);
  assert.deepEqual(errors, []);
  await close();
});

test("large rows are drawn as histograms and bad lists are refused with a message", async () => {
  const { page, errors, close } = await openPage("/softmax?n=100000");
  assert.equal(await readout(page, "max probability") !== "—", true);
  await page.click("details.paste summary");
  await page.fill("#paste-logits", "1, two, 3");
  await page.click('[data-testid="apply-logits"]');
  assert.match(await page.locator('[data-testid="logits-message"]').textContent(), /“two” is not a number/);
  await page.fill("#paste-logits", "0.5 1.5\n2.5");
  await page.click('[data-testid="apply-logits"]');
  await page.waitForFunction(() => location.search.includes("logits=0.5,1.5,2.5"));
  assert.deepEqual(errors, []);
  await close();
});
