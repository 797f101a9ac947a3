// Accessibility: an axe-core audit of every route in both themes finds no serious or critical violation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { useBrowser } from "../support/browser.mjs";

const { openPage } = useBrowser();
const axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const ROUTES = ["/", "/softmax", "/attention", "/grokking", "/nms", "/bench", "/no-such-lab"];

for (const theme of ["light", "dark"]) {
  test(`no serious or critical axe violations, ${theme} theme`, async () => {
    const found = [];
    for (const route of ROUTES) {
      const { page, close } = await openPage(`${route}${route.includes("?") ? "&" : "?"}theme=${theme}`);
      await page.waitForTimeout(300);
      await page.evaluate(axeSource);
      const result = await page.evaluate(async () => {
        const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
        return violations
          .filter((v) => v.impact === "serious" || v.impact === "critical")
          .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
      });
      found.push(...result.map((r) => `${route}: ${r}`));
      await close();
    }
    assert.deepEqual(found, []);
  });
}
