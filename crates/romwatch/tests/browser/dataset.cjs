// The site of the whole shared dataset in a real browser (headless
// Chromium, driven by playwright-core): the search page (the device first
// for its codename, ROMs newest first and as the live API ranks them, and
// the bytes a query downloads), "since my version" on a device page, and
// axe-core's accessibility checks on every kind of page, light and dark.
// Usage: node dataset.cjs BASE_URL SCREENSHOT_DIR
// (playwright-core and axe-core on NODE_PATH). Exits non-zero with the
// failed checks listed.
const { run } = require("./harness.cjs");
const axePath = require.resolve("axe-core/axe.min.js");

// The most a query may download, compressed (issue: 300 KB).
const BUDGET = 300 * 1024;

run("dataset browser checks", async ({ browser, base, shots, check }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const settle = (p) => p.waitForFunction(() => {
    const s = document.getElementById("search-status");
    return s && s.textContent && s.textContent !== "Searching…";
  }, null, { timeout: 20000 });
  const search = async (p, q) => {
    await p.goto(`${base}/search/?q=${encodeURIComponent(q)}`);
    await settle(p);
  };

  // Each query in a fresh context (an empty cache), counting the
  // compressed bytes of everything it receives: the page, its CSS and
  // script, and the parts of the index the query reads.
  for (const q of ["alioth", "V14.0.3", "redmi note 8", "miui_ALIOTHGlobal", "OS2.0"]) {
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    const sizes = [];
    p.on("requestfinished", (request) => sizes.push(request.sizes().catch(() => null)));
    await search(p, q);
    await p.waitForLoadState("networkidle");
    const bytes = (await Promise.all(sizes)).filter(Boolean)
      .reduce((sum, s) => sum + s.responseBodySize + s.responseHeadersSize, 0);
    const found = await p.locator("#search-status").textContent();
    console.log(`query ${JSON.stringify(q)}: ${bytes} bytes fetched; ${found}`);
    check(bytes <= BUDGET, `query ${q} fetched ${bytes} bytes, more than ${BUDGET}`);
    await fresh.close();
  }

  // A codename: its device first, then its ROMs newest first, exactly as
  // the live API ranks them.
  await search(page, "alioth");
  await page.screenshot({ path: `${shots}/search.png`, fullPage: false });
  const firstDevice = page.locator("#search-devices li a").first();
  check((await firstDevice.textContent()).includes("(alioth)"), "the first result for alioth is the alioth device");
  const romLinks = page.locator("#search-roms ol > li");
  const roms = await romLinks.evaluateAll((items) => items.map((li) => ({
    file: li.querySelector("code").textContent,
    date: (li.querySelector(".meta").textContent.match(/\d{4}-\d\d-\d\d/) || [""])[0],
  })));
  check(roms.length >= 20, `alioth lists ROMs (found ${roms.length})`);
  const dates = roms.map((r) => r.date).filter(Boolean);
  check(dates.every((d, i) => i === 0 || dates[i - 1] >= d), "ROMs are listed newest first");
  const api = await (await page.request.get(`${base}/api/v1/search?q=alioth&limit=${roms.length}`)).json();
  check(api.devices.length > 0 && api.devices[0].codename === "alioth", "the API ranks the alioth device first");
  const apiFiles = api.roms.map((r) => r.filename);
  check(JSON.stringify(apiFiles) === JSON.stringify(roms.map((r) => r.file)),
    "the site and the API list the same ROMs in the same order");
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${shots}/search-dark.png`, fullPage: false });
  await page.emulateMedia({ colorScheme: "light" });

  // A device's variant link leads to its page with the variant chosen.
  await page.locator("#search-devices .variants a").first().click();
  await page.waitForURL(/\/alioth\/\?variant=/);
  await page.locator("#since:not([hidden])").waitFor({ timeout: 10000 });

  // Since my version: a variant whose newest build has an incremental
  // package from an older build of the data.
  const device = new URL(page.url()).pathname;
  const since = await (await page.request.get(`${base}${device}since.json`)).json();
  let pick = null;
  for (const v of since.variants) {
    const newest = v.builds[0];
    const older = v.builds.map((b, i) => ({ b, i })).slice(1);
    const inc = newest.incrementals.find((x) => older.some((o) => o.b.version === x.from &&
      (o.b.branch === "Stable Beta" ? "Stable" : o.b.branch) === (newest.branch === "Stable Beta" ? "Stable" : newest.branch)));
    if (inc) { pick = { v, inc, at: older.find((o) => o.b.version === inc.from).i }; break; }
  }
  check(pick !== null, `the alioth data has an incremental to a newest build (${device})`);
  if (pick) {
    await page.selectOption("#since-variant", pick.v.codename);
    await page.selectOption("#since-version", String(pick.at));
    const result = page.locator("#since-result");
    await result.locator(".since-summary").waitFor();
    const newer = await result.locator(".since-builds > li").count();
    check(newer >= 1 && newer <= pick.at, `newer builds listed (${newer} for position ${pick.at})`);
    const firstVersion = (await result.locator(".since-builds h3").first().textContent()).trim();
    check(firstVersion === pick.v.builds[0].version, `the newest build comes first (${firstVersion})`);
    const download = result.locator(".since-download a");
    check((await download.getAttribute("href")).endsWith(pick.inc.filename),
      `the incremental package from ${pick.inc.from} is offered`);
    await page.screenshot({ path: `${shots}/since.png`, fullPage: true });
    // An older build of the same line with no incremental to the newest
    // (in any variant): the full ROM is offered.
    const lineOf = (b) => (b.branch === "Stable Beta" ? "Stable" : b.branch);
    let plain = null;
    for (const v of since.variants) {
      const newest = v.builds[0];
      const at = v.builds.findIndex((b, i) => i > 0 && lineOf(b) === lineOf(newest) &&
        !newest.incrementals.some((x) => x.from === b.version));
      if (at > 0 && newest.full) { plain = { v, at, newest }; break; }
    }
    check(plain !== null, "a variant has an older build without an incremental");
    if (plain) {
      await page.selectOption("#since-variant", plain.v.codename);
      await page.selectOption("#since-version", String(plain.at));
      await result.locator(".since-download").waitFor();
      check((await result.locator(".since-download").textContent()).includes(plain.newest.full.filename),
        "without an incremental, the full ROM is offered");
    }
    await page.selectOption("#since-variant", pick.v.codename);
    await page.selectOption("#since-version", String(pick.at));
  }

  // The region, branch and type filters narrow the latest table.
  const rows = page.locator("table[data-facets] tbody tr");
  const all = await rows.count();
  await page.selectOption("#facet-type", "Fastboot");
  const shown = await rows.evaluateAll((trs) => trs.filter((tr) => !tr.hidden).map((tr) => tr.dataset.type));
  check(shown.length > 0 && shown.length < all && shown.every((t) => t === "Fastboot"), "the type filter keeps Fastboot rows only");
  await page.selectOption("#facet-type", "");

  // axe-core: no violations on any kind of page, light and dark.
  const update = await page.locator("table[data-facets] tbody tr td:nth-child(4) a").first().getAttribute("href");
  const pages = [["home", "/"], ["device", device], ["update", update], ["search", "/search/?q=alioth"], ["404", "/no/such/page/"]];
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, path] of pages) {
      await page.goto(`${base}${path}`);
      if (name === "search") { await settle(page); }
      if (name === "device") {
        await page.locator("#since:not([hidden])").waitFor({ timeout: 10000 });
        if (pick) {
          await page.selectOption("#since-variant", pick.v.codename);
          await page.selectOption("#since-version", String(pick.at));
        }
      }
      await page.addScriptTag({ path: axePath });
      const found = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      });
      check(found.length === 0, `axe on ${name} (${scheme}): ${found.join("; ")}`);
      if (scheme === "dark" || name === "404") {
        await page.screenshot({ path: `${shots}/${name}-${scheme}.png`, fullPage: false });
      }
    }
  }
});
