// What the browser check scripts share: headless Chromium launched with
// playwright-core, the list of failed checks, and the exit status it gives
// (non-zero with the failures listed). A script calls
// run(name, async ({ browser, base, shots, check }) => { … }) and is run
// as `node SCRIPT BASE_URL SCREENSHOT_DIR` with playwright-core on NODE_PATH.
const { chromium } = require("playwright-core");

exports.run = function run(name, body) {
  (async () => {
    const [base, shots] = process.argv.slice(2);
    const failures = [];
    const check = (ok, what) => { if (!ok) { failures.push(what); } };
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      await body({ browser, base, shots, check });
    } finally {
      await browser.close();
    }
    if (failures.length) {
      console.error("failed:\n  " + failures.join("\n  "));
      process.exit(1);
    }
    console.log(`${name} passed`);
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
};
