// Hostile URLs: seeded random query strings on every lab. Each must render the lab (with a notice when something
// was ignored), never a panic, a blank page or a hang.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useBrowser } from "../support/browser.mjs";

const { openPage } = useBrowser();

/** SplitMix64 on BigInt, as the kernels seed their scenes: the same cases on every run. */
function rng(seed) {
  let state = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  return () => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return Number((z ^ (z >> 31n)) >> 11n) / 2 ** 53;
  };
}

const KEYS = {
  softmax: ["temperature", "n", "shape", "scale", "offset", "seed", "variants", "precision", "logits", "log_scale"],
  attention: ["queries", "keys", "dim", "query_scale", "key_spread", "concentration", "seed", "methods", "plane"],
  grokking: ["task", "p", "train_fraction", "width", "loss", "precision", "optimiser", "lr", "eps", "ortho", "seed", "max_steps"],
  nms: ["method", "convention", "nt", "sigma", "threshold", "boxes", "seed", "count", "step", "selected"],
};
const COMMON = ["embed", "theme", "hide", "ßpecial", "__proto__", "constructor", "a[b]", ""];
const VALUES = [
  "NaN", "-NaN", "inf", "-Infinity", "1e308", "-1e308", "1e-320", "0", "-0", "-1", "18446744073709551616",
  "99999999999999999999999", "0x10", "1,2,3", "💥", "日本語", "%00", "%E2%80%AE", "<script>alert(1)</script>", "",
  "true", "1", "0.5", "softmax,bogus", "1,1_2,2", "x".repeat(5000), "9".repeat(400), "-.5e-3", " 7 ", "%",
];

function randomQuery(next, lab) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const pairs = [];
  const count = 1 + Math.floor(next() * 6);
  for (let i = 0; i < count; i++) {
    const key = next() < 0.75 ? pick(KEYS[lab]) : pick(COMMON);
    const value = next() < 0.15 ? String(next() * 10 ** Math.floor(next() * 12 - 4)) : pick(VALUES);
    pairs.push(`${encodeURIComponent(key)}=${next() < 0.8 ? encodeURIComponent(value) : value}`);
  }
  return pairs.join("&");
}

test("seeded hostile query strings never break a lab", async () => {
  const next = rng(2026);
  const { page, errors, close } = await openPage("/");
  let cases = 0;
  for (let round = 0; round < 60; round++) {
    for (const lab of Object.keys(KEYS)) {
      const query = randomQuery(next, lab);
      await page.goto(`${page.url().split("/").slice(0, 3).join("/")}/${lab}?${query}`);
      await page.waitForSelector("main h1", { timeout: 15_000 });
      // A cheap round trip into the page proves it is not hung.
      assert.ok(await page.evaluate(() => document.querySelectorAll("main h1").length === 1), query);
      assert.equal(await page.locator("#error-panel").isVisible(), false, `${lab}?${query}`);
      assert.deepEqual(errors, [], `${lab}?${query}: ${errors.join(" / ")}`);
      cases++;
    }
  }
  assert.equal(cases, 240);
  await close();
});
