/**
 * The dashboard's page: plain HTML, CSS and JavaScript drawing on canvases, shipped as a
 * string (no external library, nothing fetched but the page's own `/events` stream).
 *
 * The page marks what it shows for tests: `body[data-kind]` (train or live),
 * `body[data-points]` (messages received), `[data-value]` on each figure, and
 * `canvas[data-points]` (points drawn).
 *
 * @module
 */

/** The page's HTML (`%TITLE%` is replaced by the run's title). */
export const DASHBOARD_PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%TITLE% · rxrnn dashboard</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  header { padding: 10px 18px; background: #1d2330; color: #fff; display: flex; gap: 18px; align-items: baseline; }
  header h1 { font-size: 17px; margin: 0; }
  #status { color: #9fb0c8; }
  main { padding: 12px 18px; display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
  section { background: #fff; border: 1px solid #dde2ea; border-radius: 6px; padding: 10px 12px; }
  section h2 { font-size: 13px; margin: 0 0 6px; color: #4a5569; font-weight: 600; }
  canvas { width: 100%; height: 190px; display: block; }
  .stats { display: flex; flex-wrap: wrap; gap: 8px 22px; }
  .stat b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
  .stat span { color: #6b768a; font-size: 12px; }
  ol { margin: 0; padding-left: 0; list-style: none; font-family: ui-monospace, monospace; font-size: 12px; max-height: 190px; overflow: auto; }
  .legend i { display: inline-block; width: 14px; height: 3px; margin: 0 4px 3px 10px; vertical-align: middle; }
  .wide { grid-column: 1 / -1; }
</style>
</head>
<body data-kind="" data-points="0">
<header><h1>%TITLE%</h1><span id="status">connecting…</span></header>
<main id="main"></main>
<script>
"use strict";
const COLORS = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2"];
const state = { kind: "", count: 0, train: [], heldOut: [], samples: [], live: null };
const main = document.getElementById("main");
const status = document.getElementById("status");

function el(tag, attrs, html) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (html !== undefined) e.innerHTML = html;
  return e;
}
function fmt(v, digits) {
  if (v === undefined || v === null || !isFinite(v)) return "-";
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString("en-US") : v.toFixed(digits);
}
function stat(id, label) {
  return '<div class="stat"><b id="' + id + '" data-value="">-</b><span>' + label + '</span></div>';
}
function setStat(id, value, digits) {
  const e = document.getElementById(id);
  if (!e) return;
  e.dataset.value = String(value);
  e.textContent = fmt(value, digits);
}
function panel(title, body, wide) {
  const s = el("section", wide ? { class: "wide" } : {}, "<h2>" + title + "</h2>" + body);
  main.appendChild(s);
  return s;
}

// lines: [{ label, color, points: [[x, y]], dashed, dots }]
function drawChart(canvas, lines, xLabel) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  const g = canvas.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity, n = 0;
  for (const line of lines) {
    for (const p of line.points) {
      if (!isFinite(p[0]) || !isFinite(p[1])) continue;
      n++;
      x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
      y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
    }
  }
  canvas.dataset.points = String(n);
  const L = 52, R = 10, T = 8, B = 22;
  g.strokeStyle = "#c5ccd8"; g.lineWidth = 1;
  g.beginPath(); g.moveTo(L, T); g.lineTo(L, h - B); g.lineTo(w - R, h - B); g.stroke();
  g.fillStyle = "#6b768a"; g.font = "11px system-ui, sans-serif";
  if (n === 0) { g.fillText("waiting for data…", L + 10, T + 20); return; }
  if (x1 === x0) { x1 = x0 + 1; }
  if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const pad = (y1 - y0) * 0.06; y0 = y0 >= 0 ? Math.max(0, y0 - pad) : y0 - pad; y1 += pad;
  const X = (x) => L + (x - x0) / (x1 - x0) * (w - L - R);
  const Y = (y) => T + (1 - (y - y0) / (y1 - y0)) * (h - T - B);
  g.textAlign = "right";
  for (let i = 0; i <= 4; i++) {
    const v = y0 + (y1 - y0) * i / 4;
    g.fillText(fmt(v, Math.abs(y1 - y0) < 1 ? 3 : 2), L - 4, Y(v) + 4);
    g.strokeStyle = "#eef1f5"; g.beginPath(); g.moveTo(L + 1, Y(v)); g.lineTo(w - R, Y(v)); g.stroke();
  }
  g.textAlign = "left"; g.fillText(fmt(x0, 0), L, h - 6);
  g.textAlign = "right"; g.fillText(fmt(x1, 0) + " " + xLabel, w - R, h - 6);
  for (const line of lines) {
    g.strokeStyle = line.color; g.fillStyle = line.color; g.lineWidth = 1.6;
    g.setLineDash(line.dashed ? [5, 4] : []);
    if (line.dots) {
      for (const p of line.points) { g.beginPath(); g.arc(X(p[0]), Y(p[1]), 3, 0, 7); g.fill(); }
    } else {
      g.beginPath();
      line.points.forEach((p, i) => (i === 0 ? g.moveTo(X(p[0]), Y(p[1])) : g.lineTo(X(p[0]), Y(p[1]))));
      g.stroke();
    }
  }
  g.setLineDash([]);
}
function legend(items) {
  return '<div class="legend">' + items.map((it) => '<i style="background:' + it[1] + '"></i>' + it[0]).join("") + "</div>";
}

function setupTrain() {
  panel("Figures", '<div class="stats">' + stat("stat-step", "step") + stat("stat-bits", "train bits/char (smoothed)") +
    stat("stat-heldout", "held-out bits/char") + stat("stat-gradnorm", "gradient norm") +
    stat("stat-rate", "steps/s") + stat("stat-time", "seconds") + "</div>", true);
  panel("Loss: bits per character", legend([["train (smoothed)", COLORS[0]], ["held out", COLORS[1]]]) +
    '<canvas id="chart-loss"></canvas>');
  panel("Gradient norm (before clipping)", '<canvas id="chart-gradnorm"></canvas>');
  panel("Steps per second", '<canvas id="chart-rate"></canvas>');
  panel("Samples as they improve", '<ol id="samples"></ol>');
}
function drawTrain() {
  const t = state.train;
  const last = t[t.length - 1];
  if (last) {
    setStat("stat-step", last.step, 0); setStat("stat-bits", last.bitsPerChar, 3);
    setStat("stat-gradnorm", last.gradNorm, 3); setStat("stat-rate", last.stepsPerSecond, 0);
    setStat("stat-time", last.time, 1);
  }
  const h = state.heldOut[state.heldOut.length - 1];
  if (h) setStat("stat-heldout", h[1], 3);
  drawChart(document.getElementById("chart-loss"), [
    { color: COLORS[0], points: t.map((m) => [m.step, m.bitsPerChar]) },
    { color: COLORS[1], points: state.heldOut, dots: state.heldOut.length < 40 },
  ], "steps");
  drawChart(document.getElementById("chart-gradnorm"), [{ color: COLORS[2], points: t.map((m) => [m.step, m.gradNorm]) }], "steps");
  drawChart(document.getElementById("chart-rate"), [{ color: COLORS[3], points: t.map((m) => [m.step, m.stepsPerSecond]) }], "steps");
  const ol = document.getElementById("samples");
  ol.dataset.count = String(state.samples.length);
  ol.innerHTML = state.samples.slice(-30).reverse().map((s) =>
    "<li>step " + s[0].toLocaleString("en-US") + ": " + s[1].replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</li>"
  ).join("");
}

function setupLive(m) {
  state.live = { features: m.features, series: new Map(), flags: [] };
  panel("Feed", '<div class="stats">' + stat("stat-events", "events") + stat("stat-rate", "events/s") +
    stat("stat-flags", "flags") + stat("stat-dropped", "dropped") + stat("stat-lag", "lag (queued)") +
    stat("stat-skipped", "skipped lines") + stat("stat-reconnects", "reconnects") + "</div>", true);
  panel("Flags", '<ol id="flags"></ol>');
}
function liveSeries(key) {
  const live = state.live;
  let s = live.series.get(key);
  if (s) return s;
  const id = "chart-series-" + live.series.size;
  const items = [];
  live.features.forEach((f, i) => {
    items.push([f + " reading", COLORS[(2 * i) % COLORS.length]]);
    items.push([f + " forecast", COLORS[(2 * i + 1) % COLORS.length]]);
  });
  panel("Series " + key.replace(/</g, "&lt;") + ": forecast against reading", legend(items) +
    '<canvas id="' + id + '" data-series="' + key.replace(/"/g, "&quot;") + '"></canvas>');
  s = { id, readings: [] };
  live.series.set(key, s);
  return s;
}
function addLive(m) {
  for (const r of m.readings) {
    const s = liveSeries(r.key);
    s.readings.push(r);
    if (s.readings.length > 400) s.readings.splice(0, s.readings.length - 400);
    if (r.flagged) state.live.flags.push(r);
  }
  state.live.last = m;
}
function drawLive() {
  const live = state.live, m = live.last;
  setStat("stat-events", m.events, 0); setStat("stat-rate", m.rate, 0); setStat("stat-flags", m.flags, 0);
  setStat("stat-dropped", m.dropped, 0); setStat("stat-lag", m.lag, 0); setStat("stat-skipped", m.skipped, 0);
  setStat("stat-reconnects", m.reconnects, 0);
  for (const s of live.series.values()) {
    const lines = [];
    live.features.forEach((f, i) => {
      lines.push({ color: COLORS[(2 * i) % COLORS.length], points: s.readings.map((r) => [r.event, r.values[i]]) });
      lines.push({
        color: COLORS[(2 * i + 1) % COLORS.length], dashed: true,
        points: s.readings.filter((r) => r.forecast).map((r) => [r.event, r.forecast[i]]),
      });
      lines.push({ color: "#111", dots: true, points: s.readings.filter((r) => r.flagged).map((r) => [r.event, r.values[i]]) });
    });
    drawChart(document.getElementById(s.id), lines, "events");
  }
  const ol = document.getElementById("flags");
  ol.dataset.count = String(live.flags.length);
  ol.innerHTML = live.flags.slice(-30).reverse().map((r) =>
    "<li>event " + r.event + " series " + String(r.key).replace(/</g, "&lt;") + ": " +
    live.features.map((f, i) => f + "=" + fmt(r.values[i], 2) + " (forecast " + (r.forecast ? fmt(r.forecast[i], 2) : "-") + ")").join(" ") +
    "</li>"
  ).join("");
}

let pending = false;
function redraw() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    if (state.kind === "train") drawTrain();
    else if (state.kind === "live") drawLive();
    document.body.dataset.points = String(state.count);
  });
}
function receive(m) {
  if (state.kind === "") {
    state.kind = m.kind;
    document.body.dataset.kind = m.kind;
    if (m.kind === "train") setupTrain(); else setupLive(m);
  }
  state.count++;
  if (m.kind === "train") {
    state.train.push(m);
    if (state.train.length > 4000) state.train.splice(0, 1000);
    if (m.heldOut !== undefined) state.heldOut.push([m.step, m.heldOut]);
    if (m.sample !== undefined) state.samples.push([m.step, m.sample]);
  } else addLive(m);
  redraw();
}

const source = new EventSource("events");
source.addEventListener("open", () => { status.textContent = "live"; });
source.addEventListener("error", () => { status.textContent = "disconnected (the run has ended?)"; });
source.addEventListener("metrics", (e) => receive(JSON.parse(e.data)));
window.addEventListener("resize", redraw);
</script>
</body>
</html>
`;
