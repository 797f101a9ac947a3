// Browser tests of what teachers rely on: every lab embeds in an iframe and reports its height, shares a link
// that restores its state, and exports a PNG and a CSV.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useBrowser } from "../support/browser.mjs";

const { openPage, url } = useBrowser();

/** Per lab: a control to change (selector, value) and the PNG and CSV export buttons. */
const LABS = [
  { slug: "softmax", control: 'input[data-key="temperature"]', value: "0.3", png: "png-softmax-probabilities.png", csv: "download-softscope-softmax.csv" },
  { slug: "attention", control: 'input[data-key="query_scale"]', value: "0.25", png: "png-attention-entropy.png", csv: "download-softscope-attention-curves.csv" },
  { slug: "grokking", control: 'input[data-key="p"]', value: "23", png: "png-grokking-collapse.png", csv: "download-softscope-grokking-run.csv" },
  { slug: "nms", control: 'input[data-key="nt"]', value: "0.42", png: "export-png", csv: "export-csv" },
];

test("every lab embeds in an iframe, without the site chrome, and reports its height", async () => {
  const { page, errors, close } = await openPage("/");
  const frames = LABS.map((lab) => `<iframe id="${lab.slug}" src="${url()}/${lab.slug}?embed=1&hide=seed" style="width:800px;height:400px"></iframe>`);
  await page.setContent(`<!doctype html><title>Course page</title><script>
    window.heights = {};
    addEventListener("message", (e) => {
      if (e.data && e.data.type === "softscope:height") {
        for (const f of document.querySelectorAll("iframe")) {
          if (f.contentWindow === e.source) {
            window.heights[f.id] = e.data.height;
            f.style.height = e.data.height + "px"; // as the README's snippet does
          }
        }
      }
    });
  </script>${frames.join("")}`);
  for (const lab of LABS) {
    await page.waitForFunction((id) => window.heights[id] > 300, lab.slug, { timeout: 30_000 });
    const frame = page.frameLocator(`#${lab.slug}`);
    await frame.locator("main h1").waitFor();
    assert.equal(await frame.locator(".site-header").isVisible(), false, `${lab.slug}: no site navigation`);
    // The frame grew to its content and no further: the reported height is the content's, not the frame's.
    await page.waitForTimeout(300);
    const [reported, content] = await Promise.all([
      page.evaluate((id) => window.heights[id], lab.slug),
      frame.locator("body").evaluate((b) => Math.ceil(b.getBoundingClientRect().height)),
    ]);
    assert.ok(reported > 400 && Math.abs(reported - content) <= 2, `${lab.slug}: reported ${reported}, content ${content}`);
    if (lab.slug !== "nms") {
      assert.equal(await frame.locator('input[data-key="seed"]').isVisible(), false, `${lab.slug}: hide=seed`);
    }
  }
  assert.deepEqual(errors, []);
  await close();
});

test("every lab's share link restores its state", async () => {
  for (const lab of LABS) {
    const { page, errors, close } = await openPage(`/${lab.slug}`);
    await page.locator(lab.control).fill(lab.value);
    const shown = await page.locator(lab.control).inputValue();
    await page.click('[data-testid="share"]');
    const link = await page.locator('[data-testid="share-link"]').inputValue();
    assert.ok(link.startsWith(url()) && !link.includes("embed="), link);
    assert.match(await page.locator('[data-testid="share-snippet"]').inputValue(), /<iframe src="[^"]*embed=1/);
    await page.click('[data-testid="share-close"]');
    const other = await openPage(link.slice(url().length));
    assert.equal(await other.page.locator(lab.control).inputValue(), shown, `${lab.slug} after the round trip`);
    await other.close();
    assert.deepEqual(errors, [], lab.slug);
    await close();
  }
});

test("every lab exports a PNG and a CSV", async () => {
  for (const lab of LABS) {
    const { page, errors, close } = await openPage(`/${lab.slug}`);
    const [png] = await Promise.all([page.waitForEvent("download"), page.locator(`[data-testid="${lab.png}"]`).first().click()]);
    const bytes = await readFile(await png.path());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${lab.slug} PNG`);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click(`[data-testid="${lab.csv}"]`)]);
    const rows = (await readFile(await csv.path(), "utf8")).trim().split("\n").map((line) => line.split(","));
    assert.ok(rows.length >= 1 && rows[0].length >= 2, `${lab.slug} CSV has a header`);
    assert.ok(rows.every((r) => r.length === rows[0].length), `${lab.slug} CSV rows are rectangular`);
    assert.deepEqual(errors, [], lab.slug);
    await close();
  }
});
