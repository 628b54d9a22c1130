/**
 * The HTML failure report in a real browser: Debian's Chromium, driven headless by
 * playwright-core. `.ci/run` installs Chromium when it is missing; in CI (`CI` set) a missing
 * Chromium fails this file, locally it is skipped with the reason in the suite's title.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { laneModel } from "../../../src/harness/reporters/lanes.ts";
import { renderHtml } from "../../../src/harness/reporters/html.ts";
import { writeFailureReports } from "../../../src/harness/reporters/writeFailureReports.ts";
import { evilReport, realFailure, XSS } from "./support.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const installed = existsSync(CHROMIUM);
const inCI = Boolean(process.env["CI"]);
const MISSING = `Debian's Chromium is not installed at ${CHROMIUM}: run .ci/run (it installs it), or install it with 'sudo apt-get install --no-install-recommends chromium'`;
const title = installed ? "HTML failure report in headless Chromium" : `HTML failure report in headless Chromium (skipped: ${MISSING})`;

describe.skipIf(!installed && !inCI)(title, () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (installed) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it(`finds Debian's Chromium at ${CHROMIUM}`, () => {
    // In CI a missing browser is a broken environment, not a reason to skip: fail, saying how to fix it.
    if (!installed) throw new Error(MISSING);
  });

  /** The tests below need the browser; in CI without it the test above has already failed. */
  const inBrowser = it.skipIf(!installed);

  /** A fresh page that records dialogs and every request it makes. */
  async function newPage(): Promise<{ page: Page; dialogs: string[]; requests: string[] }> {
    const page = await browser!.newPage();
    const dialogs: string[] = [];
    const requests: string[] = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("request", (request) => requests.push(request.url()));
    return { page, dialogs, requests };
  }

  inBrowser("sync-child, upstream, main-idle, seed 1: every lane is shown, and the violations sit right after their step", async () => {
    const report = await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" });
    const { html } = writeFailureReports(mkdtempSync(join(tmpdir(), "racelab-browser-")), report);
    const url = pathToFileURL(html).href;
    const { page, requests } = await newPage();
    await page.goto(url);

    const lanes = laneModel(report).lanes.map((l) => l.name);
    expect(lanes).toEqual(expect.arrayContaining(["run", "main.run1", "LLM"]));
    for (const lane of lanes) await expect.poll(() => page.locator(`th[data-lane="${lane}"]`).isVisible()).toBe(true);
    expect(await page.locator("th[data-lane]").allTextContents()).toEqual(laneModel(report).lanes.map((l) => `${l.name}${l.kind}`));

    for (const v of report.violations) {
      const marker = page.locator(`.violation[data-violation="${v.invariant}"][data-step="${v.step}"]`).first();
      expect(await marker.count()).toBe(1);
      await marker.scrollIntoViewIfNeeded();
      expect(await marker.isVisible()).toBe(true);
    }
    // Each marker's row follows the row of its step (other violations of that step in between).
    const stepOfMarkers = await page.evaluate(`[...document.querySelectorAll(".violation")].map((m) => {
      let row = m.closest("tr").previousElementSibling;
      while (row && !row.classList.contains("step")) row = row.previousElementSibling;
      return [m.dataset.step, row && row.dataset.step];
    })`);
    expect(stepOfMarkers).toEqual(report.violations.map((v) => [String(v.step), String(v.step)]));
    expect(requests).toEqual([url]);
    await page.close();
  });

  inBrowser("idle-prompt-async, upstream, seed 1: each step's box is drawn in its lane's column", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const { page } = await newPage();
    await page.setContent(renderHtml(report));
    for (const s of laneModel(report).steps) {
      const header = await page.locator(`th[data-lane="${s.lane}"]`).boundingBox();
      const box = await page.locator(`.box[data-step="${s.step}"]`).boundingBox();
      expect(header && box, `step ${s.step}`).toBeTruthy();
      expect(box!.x).toBeGreaterThanOrEqual(header!.x - 1);
      expect(box!.x + box!.width).toBeLessThanOrEqual(header!.x + header!.width + 1);
    }
    const v = report.violations[0]!;
    expect(await page.locator(`tr[data-step="${v.step}"].has-violation .box.violated`).count()).toBe(1);
    await page.close();
  });

  inBrowser(`shows ${XSS} in labels, events and messages as text: no dialog, no script element`, async () => {
    const report = evilReport();
    const { page, dialogs, requests } = await newPage();
    await page.setContent(renderHtml(report));
    // Give an injected script every chance to run before looking.
    await page.waitForLoadState("load");
    await page.evaluate("new Promise((resolve) => setTimeout(resolve, 100))");
    expect(dialogs).toEqual([]);
    expect(await page.locator("script").count()).toBe(0);
    const label = page.locator('.box[data-step="2"] .label');
    expect(await label.textContent()).toBe(report.choices[1]);
    expect(await label.isVisible()).toBe(true);
    await expect.poll(() => page.getByText(`boom ${XSS}`).isVisible()).toBe(true);
    expect(await page.locator(`.violation[data-violation="every-message-answered"][data-step="4"]`).textContent()).toContain(XSS);
    expect(await page.locator("#replay").textContent()).toBe(report.replay);
    expect(await page.title()).toContain("every-message-answered");
    expect(requests).toEqual([]);
    await page.close();
  });
});
