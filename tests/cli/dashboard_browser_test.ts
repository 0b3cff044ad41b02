/**
 * The training dashboard in a real browser: `main.ts train --dashboard` as a subprocess,
 * Debian's chromium (headless, driven by puppeteer-core) loads the page, waits for
 * points, reads the figures from the DOM and saves a screenshot to .tmp/dashboard.png (the README shows a copy, docs/dashboard.png).
 * A missing browser fails the test.
 */
import { assert, assertStrictEquals } from "@std/assert";
import puppeteer from "npm:puppeteer-core@25.16.0";
import { REPO } from "./_support.ts";

const CHROMIUM = "/usr/bin/chromium";

// run in the page (as text: the tests are type-checked without the DOM library)
/** Enough points, a held-out figure and two samples: then the page has drawn every chart. */
const READY = `document.body.dataset.kind === "train" && Number(document.body.dataset.points) >= 12 &&
  document.getElementById("stat-heldout")?.dataset.value !== "" &&
  Number(document.getElementById("samples")?.dataset.count) >= 2`;
/** The figures and the points drawn on each canvas. */
const READ = `(() => {
  const value = (id) => Number(document.getElementById(id).dataset.value);
  const drawn = (id) => Number(document.getElementById(id).dataset.points);
  return {
    step: value("stat-step"), bits: value("stat-bits"), heldOut: value("stat-heldout"),
    gradNorm: value("stat-gradnorm"), rate: value("stat-rate"),
    loss: drawn("chart-loss"), grad: drawn("chart-gradnorm"), steps: drawn("chart-rate"),
    samples: document.querySelectorAll("#samples li").length,
    firstSample: document.querySelector("#samples li")?.textContent ?? "",
  };
})()`;
interface Seen {
  step: number;
  bits: number;
  heldOut: number;
  gradNorm: number;
  rate: number;
  loss: number;
  grad: number;
  steps: number;
  samples: number;
  firstSample: string;
}

Deno.test("train --dashboard serves a page that draws loss, held-out bits/char, gradient norm, steps/s and samples in chromium", async () => {
  try {
    await Deno.stat(CHROMIUM);
  } catch (error) {
    throw error instanceof Deno.errors.NotFound
      ? new Error(`${CHROMIUM} is missing: install it with 'apt-get install -y chromium' (.ci/run does)`)
      : error;
  }
  await Deno.mkdir(".tmp", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ".tmp", prefix: "rxrnn_dashboard_" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "--no-prompt",
      `--allow-read=.,${dir}`,
      `--allow-write=${dir}`,
      "--allow-net=127.0.0.1",
      "main.ts",
      "train",
      "--dashboard",
      "--time",
      "60s",
      "--hidden",
      "16",
      "--streams",
      "8",
      "--eval-every",
      "300",
      "--sample-every",
      "0.5",
      "--checkpoint",
      `${dir}/names.ckpt`,
      "--log",
      `${dir}/run.jsonl`,
    ],
    cwd: REPO,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  let browser: Awaited<ReturnType<typeof puppeteer.launch>> | null = null;
  try {
    while (!/dashboard: (http:\S+)/.test(stdout)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`train ended before printing the dashboard's URL: ${stdout} ${await stderr}`);
      stdout += value;
    }
    const url = /dashboard: (http:\S+)/.exec(stdout)![1];
    assert(url.startsWith("http://127.0.0.1:"), url);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: `${dir}/profile`,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 860 });
    await page.goto(url);
    // enough points, a held-out figure and a sample: then the page has drawn every chart
    await page.waitForFunction(READY, { timeout: 50_000, polling: 200 });
    const seen = await page.evaluate(READ) as Seen;
    assert(seen.step > 0, `step ${seen.step}`);
    // 28 characters: a fresh model is near log2(28) = 4.8 bits/char, and never far above
    assert(seen.bits > 0.5 && seen.bits < 6, `bits/char ${seen.bits}`);
    assert(seen.heldOut > 0.5 && seen.heldOut < 6, `held-out bits/char ${seen.heldOut}`);
    assert(seen.gradNorm > 0 && Number.isFinite(seen.gradNorm), `gradient norm ${seen.gradNorm}`);
    assert(seen.rate > 0, `steps/s ${seen.rate}`);
    assert(seen.loss >= 12 && seen.grad >= 12 && seen.steps >= 12, JSON.stringify(seen));
    assert(seen.samples >= 2 && /^step [\d,]+: /.test(seen.firstSample), seen.firstSample);
    await Deno.mkdir(`${REPO}.tmp`, { recursive: true });
    await page.screenshot({ path: `${REPO}.tmp/dashboard.png` });
    const png = await Deno.readFile(`${REPO}.tmp/dashboard.png`);
    assertStrictEquals([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  } finally {
    await browser?.close();
    try {
      child.kill("SIGINT");
    } catch {
      // it has ended already: its exit code and stderr say why
    }
    while (!(await reader.read()).done); // drain stdout: the run prints its last lines after Ctrl-C
    const status = await child.status;
    const errors = await stderr;
    await Deno.remove(dir, { recursive: true });
    assertStrictEquals(status.code, 0, `train stops on Ctrl-C with exit 0: ${errors}`);
  }
});
