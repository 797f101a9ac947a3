// Browser tests of the app shell against the release build: routes, navigation, 404, themes, URL state, canvases.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { useBrowser, drawnPixels } from "../support/browser.mjs";

const LABS = [
  { slug: "softmax", title: "Softmax lab" },
  { slug: "attention", title: "Attention lab" },
  { slug: "grokking", title: "Grokking lab" },
  { slug: "nms", title: "Soft-NMS lab" },
];
const SCREENSHOTS = new URL("./screenshots/", import.meta.url);
const { openPage } = useBrowser();

before(() => mkdir(SCREENSHOTS, { recursive: true }));

test("the landing page shows one live card per lab", async () => {
  const { page, errors, close } = await openPage("/");
  assert.equal(await page.locator(".cards .card").count(), LABS.length);
  for (const lab of LABS) {
    const card = page.locator(`.card[data-lab="${lab.slug}"]`);
    assert.equal(await card.locator("h2").textContent(), lab.title);
    assert.ok((await drawnPixels(page, `.card[data-lab="${lab.slug}"] canvas`)) > 500, `${lab.slug} thumbnail is blank`);
  }
  assert.deepEqual(errors, []);
  await close();
});

test("every lab route renders its title and non-blank figures without console errors", async () => {
  for (const lab of LABS) {
    const { page, errors, close } = await openPage(`/${lab.slug}`);
    assert.equal(await page.locator("main h1").textContent(), lab.title);
    assert.equal(await page.title(), `${lab.title} · Softscope`);
    const canvases = await page.locator("main canvas").count();
    assert.ok(canvases >= 1, `${lab.slug} has no figure`);
    for (let i = 0; i < canvases; i++) {
      const pixels = await drawnPixels(page, `main canvas >> nth=${i}`);
      const area = await page.$eval(`main canvas >> nth=${i}`, (c) => c.width * c.height);
      assert.ok(pixels > Math.max(100, 0.01 * area), `${lab.slug} canvas ${i} is blank (${pixels} of ${area} px drawn)`);
    }
    assert.deepEqual(errors, [], `${lab.slug}: ${errors.join("\n")}`);
    await close();
  }
});

test("landing cards and header links lead to their labs", async () => {
  const { page, errors, close } = await openPage("/");
  for (const lab of LABS) {
    await page.click(`.card[data-lab="${lab.slug}"] a`);
    await page.waitForURL(`**/${lab.slug}`);
    assert.equal(await page.locator("main h1").textContent(), lab.title);
    await page.click(".brand");
    await page.waitForSelector(".cards");
  }
  for (const lab of LABS) {
    await page.click(`header nav >> text=${lab.title}`);
    await page.waitForURL(`**/${lab.slug}`);
    assert.equal(await page.locator("main h1").textContent(), lab.title);
    assert.equal(await page.locator(`header nav a[aria-current="page"]`).textContent(), lab.title);
  }
  assert.deepEqual(errors, []);
  await close();
});

test("an unknown path shows the 404 page with links to every lab", async () => {
  const { page, errors, close } = await openPage("/no-such-lab");
  assert.equal(await page.locator("main h1").textContent(), "Page not found");
  assert.equal(await page.locator('[data-testid="not-found"] li a').count(), LABS.length);
  await page.click('[data-testid="not-found"] >> text=Attention lab');
  await page.waitForURL("**/attention");
  assert.deepEqual(errors, []);
  await close();
});

test("the page follows prefers-color-scheme, and ?theme= overrides it", async () => {
  const background = async (path, scheme) => {
    const { page, close } = await openPage(path, { colorScheme: scheme });
    const color = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await close();
    return color;
  };
  const light = await background("/", "light");
  const dark = await background("/", "dark");
  assert.equal(light, "rgb(246, 247, 249)");
  assert.equal(dark, "rgb(15, 18, 23)");
  assert.equal(await background("/?theme=dark", "light"), dark);
  assert.equal(await background("/?theme=light", "dark"), light);
});

test("figures follow a change of colour scheme while the page is open", async () => {
  const { page, errors, close } = await openPage("/attention", { colorScheme: "light" });
  // The mean brightness (R + G + B) of the opaque pixels in the strip of the y-axis labels: only their ink is there.
  const ink = () =>
    page.$eval('canvas[data-figure="attention-entropy"]', (canvas) => {
      const { data } = canvas.getContext("2d").getImageData(0, 0, 40, canvas.height);
      let [sum, count] = [0, 0];
      for (let i = 0; i < data.length; i += 4) if (data[i + 3] === 255) [sum, count] = [sum + data[i] + data[i + 1] + data[i + 2], count + 1];
      return sum / count;
    });
  await page.waitForFunction(() => document.querySelector('canvas[data-figure="attention-entropy"]').width > 1);
  const light = await ink();
  assert.ok(light < 200, `light-scheme labels are dark: ${light}`);
  await page.emulateMedia({ colorScheme: "dark" });
  let dark = light;
  for (let tries = 0; tries < 40 && dark === light; tries++) {
    await page.waitForTimeout(50);
    dark = await ink();
  }
  assert.ok(dark > 500, `dark-scheme labels are light: ${dark} against ${light}`);
  assert.deepEqual(errors, []);
  await close();
});

test("the tab icon and the manifest's icons load", async () => {
  const { page, errors, close } = await openPage("/");
  const icons = await page.evaluate(async () => {
    const manifest = await (await fetch(document.querySelector('link[rel="manifest"]').href)).json();
    const urls = [document.querySelector('link[rel="icon"]').href, ...manifest.icons.map((i) => new URL(i.src, document.baseURI).href)];
    return Promise.all(urls.map(async (url) => [url, (await fetch(url)).status]));
  });
  assert.equal(icons.length, 3);
  for (const [url, status] of icons) assert.equal(status, 200, url);
  assert.deepEqual(errors, []);
  await close();
});

test("a slider changes the figure and the URL, and the URL restores it", async () => {
  const { page, errors, close } = await openPage("/softmax");
  const entropy = () => page.locator('[data-testid="softmax-readouts"] .readout-value').first().textContent();
  const before = await entropy();
  const figure = `canvas[data-figure="softmax-probabilities"]`;
  const pixelsBefore = await page.$eval(figure, (c) => c.toDataURL());
  await page.locator('input[data-key="temperature"]').fill("-1.5");
  await page.waitForFunction(() => location.search.includes("temperature=0.0316"));
  const after = await entropy();
  assert.notEqual(after, before);
  assert.notEqual(await page.$eval(figure, (c) => c.toDataURL()), pixelsBefore);
  assert.equal(await page.locator(`label[for="control-temperature"] output`).textContent(), "0.03160");
  assert.equal(await page.locator('input[data-key="temperature"]').getAttribute("aria-valuetext"), "temperature 0.03160");
  await page.reload();
  await page.waitForSelector("main h1");
  assert.equal(await entropy(), after);
  assert.deepEqual(errors, []);
  await close();
});

test("a single change is in the URL at once: a reload right after it keeps it", async () => {
  const { page, errors, close } = await openPage("/softmax");
  await page.waitForTimeout(200);
  const slider = page.locator('input[data-key="temperature"]');
  await slider.fill("-1.5");
  const shown = await slider.inputValue();
  await page.reload();
  await page.waitForSelector("main h1");
  assert.equal(await page.locator('input[data-key="temperature"]').inputValue(), shown);
  assert.deepEqual(errors, []);
  await close();
});

test("malformed and unknown URL parameters are named in a notice and the lab still works", async () => {
  const { page, errors, close } = await openPage("/softmax?temperature=abc&n=1e9&bogus=1&embed=1");
  const notice = page.locator('[data-testid="url-notice"]');
  const text = await notice.textContent();
  assert.match(text, /temperature=abc/);
  assert.match(text, /n=1e9/);
  assert.match(text, /unknown parameter “bogus”/);
  assert.doesNotMatch(text, /embed/);
  assert.ok((await drawnPixels(page, "main canvas")) > 1000);
  await notice.locator("button").click();
  assert.equal(await notice.count(), 0);
  assert.deepEqual(errors, []);
  await close();
});

test("a bad seed is refused next to its field", async () => {
  const { page, errors, close } = await openPage("/nms");
  await page.locator("#control-seed").fill("not a seed");
  await page.locator("#control-seed").press("Enter");
  await page.locator("#control-seed").blur();
  assert.match(await page.locator(".field-error").textContent(), /whole number/);
  assert.deepEqual(errors, []);
  await close();
});

test("screenshots of every route at 1280 px and 375 px", async () => {
  const routes = ["/", ...LABS.map((l) => `/${l.slug}`), "/no-such-lab", "/bench"];
  for (const [width, height] of [[1280, 900], [375, 812]]) {
    for (const scheme of ["light", "dark"]) {
      for (const route of routes) {
        const { page, errors, close } = await openPage(route, { viewport: { width, height }, colorScheme: scheme });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${route} at ${width} px scrolls sideways by ${overflow} px`);
        const name = (route === "/" ? "landing" : route.slice(1)) + `-${width}-${scheme}.png`;
        await page.screenshot({ path: fileURLToPath(new URL(name, SCREENSHOTS)), fullPage: true });
        assert.deepEqual(errors, []);
        await close();
      }
    }
  }
});

test("an uncaught error shows the readable error panel instead of a blank page", async () => {
  const { page, close } = await openPage("/attention");
  assert.equal(await page.locator("#error-panel").isVisible(), false);
  await page.evaluate(() => setTimeout(() => { throw new Error("simulated failure"); }));
  await page.waitForSelector("#error-panel:not([hidden])");
  assert.match(await page.locator("#error-panel .error-message").textContent(), /simulated failure/);
  assert.equal(await page.locator("main h1").textContent(), "Attention lab");
  await close();
});
