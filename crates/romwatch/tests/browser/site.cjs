// The built site in a real browser (headless Chromium, driven by
// playwright-core): the header search leading to the search page, device
// and update pages, a changelog expanded, download links, dark mode, and
// pages without JavaScript.
// Usage: node site.cjs BASE_URL SCREENSHOT_DIR (playwright-core on NODE_PATH)
// Exits non-zero with the failed checks listed.
const { run } = require("./harness.cjs");

run("browser checks", async ({ browser, base, shots, check }) => {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  await page.screenshot({ path: `${shots}/home.png`, fullPage: true });

  // The header box leads to the search page, which lists the device
  // first; its link opens the device page.
  await page.locator("#site-search").fill("capri");
  await page.locator("#site-search").press("Enter");
  await page.waitForURL(/\/search\/\?q=capri$/);
  const hit = page.locator("#search-devices a").first();
  await hit.waitFor({ timeout: 5000 });
  check((await hit.textContent()).includes("capricorn"), "search lists capricorn");
  await page.screenshot({ path: `${shots}/search-sample.png` });
  await hit.click();
  await page.waitForURL(/\/miui\/capricorn\/$/);
  await page.screenshot({ path: `${shots}/device.png`, fullPage: true });

  // The update page: a card per file, a changelog that expands, downloads
  // that point at their package.
  await page.goto(`${base}/miui/capricorn/weekly/7.12.28/`);
  const details = page.locator("details").first();
  check(!(await details.evaluate((d) => d.open)), "changelog starts collapsed");
  await details.locator("summary").click();
  check(await details.evaluate((d) => d.open), "changelog expands");
  const cards = await page.locator("article.card").count();
  check(cards >= 2, `two cards or more (found ${cards})`);
  for (const link of await page.locator("article.card a.button").all()) {
    const href = await link.getAttribute("href");
    const card = link.locator("xpath=ancestor::article[1]");
    const name = (await card.locator("dt:text-is('Package Name') + dd").textContent()).trim();
    check(href.endsWith(`/${name}`), `download ${href} ends with its package ${name}`);
  }
  await page.screenshot({ path: `${shots}/update.png`, fullPage: true });

  // Dark mode follows the system setting.
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: "light" });
  const light = await background();
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = await background();
  check(light !== dark, `dark mode changes the background (${light} / ${dark})`);
  await page.screenshot({ path: `${shots}/update-dark.png`, fullPage: true });

  // Without JavaScript the page is whole, and the search box stays hidden.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await noJs.goto(`${base}/miui/capricorn/weekly/7.12.28/`);
  check((await noJs.locator("article.card").count()) === cards, "every card without JavaScript");
  check(!(await noJs.locator("#site-search").isVisible()), "no dead search box without JavaScript");
  await noJs.screenshot({ path: `${shots}/update-nojs.png`, fullPage: true });
  // The search page says it needs JavaScript and links the device indexes.
  await noJs.goto(`${base}/search/?q=capricorn`);
  const notice = noJs.locator("main p.notice");
  check(await notice.isVisible(), "the search page explains itself without JavaScript");
  check((await notice.locator("a").count()) === 2, "and links both device indexes");
  await noJs.screenshot({ path: `${shots}/search-nojs.png`, fullPage: true });
});
