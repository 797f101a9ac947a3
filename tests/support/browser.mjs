// Shared set-up of the browser tests: one static server and one chromium per test file, pages that record errors.
import { before, after } from "node:test";
import { chromium } from "playwright-core";
import { serve, chromiumOptions } from "./server.mjs";

/** Starts the server and the browser for this test file; returns accessors for the tests. */
export function useBrowser() {
  const shared = {};
  before(async () => {
    shared.server = await serve("dist");
    shared.browser = await chromium.launch(chromiumOptions);
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });

  /** A fresh page at `path` that records console errors and page errors. */
  async function openPage(path, options = {}) {
    const context = await shared.browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    const page = await context.newPage();
    const errors = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(shared.server.url + path);
    await page.waitForSelector("main h1");
    return { page, errors, close: () => context.close() };
  }

  return { openPage, url: () => shared.server.url };
}

/** How many pixels of a canvas are drawn (alpha > 0). */
export function drawnPixels(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
    return drawn;
  });
}

/** The page's query string once the lab has written its newest state into it (it follows within 100 ms). */
export async function settledSearch(page) {
  let [search, since] = [await page.evaluate(() => location.search), Date.now()];
  while (Date.now() - since < 300) {
    await page.waitForTimeout(50);
    const now = await page.evaluate(() => location.search);
    if (now !== search) [search, since] = [now, Date.now()];
  }
  return search;
}
