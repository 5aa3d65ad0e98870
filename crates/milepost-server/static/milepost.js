// Progressive enhancement for Milepost's pages: draws each burn-up chart with uPlot from
// the data the server put in the page (data-chart). Without JavaScript the page still
// shows the progress bars and the check-in history.
"use strict";

function drawBurnup(figure) {
  if (typeof uPlot === "undefined") return;
  let data;
  try {
    data = JSON.parse(figure.dataset.chart);
  } catch (_) {
    return;
  }
  if (!data.times || data.times.length < 2) return;
  const styles = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => (styles.getPropertyValue(name) || fallback).trim();
  const unit = data.unit || "";
  const format = (v) => (v == null ? "–" : (Math.round(v * 100) / 100).toLocaleString() + (unit === "%" ? "%" : unit ? " " + unit : ""));
  const width = Math.max(280, Math.min(figure.clientWidth || 600, 900));
  const options = {
    width,
    height: 200,
    series: [
      {},
      { label: "check-ins", stroke: colour("--mp-blue", "#1565c0"), width: 2, spanGaps: true, points: { show: true, size: 6 }, value: (_, v) => format(v) },
      { label: data.label || "pace", stroke: colour("--mp-grey", "#6b7280"), width: 1.5, dash: [6, 4], spanGaps: true, points: { show: false }, value: (_, v) => format(v) },
    ],
    axes: [
      { stroke: colour("--pico-color", "#888") },
      { stroke: colour("--pico-color", "#888"), values: (_, ticks) => ticks.map(format), size: 70 },
    ],
    legend: { show: true },
  };
  const columns = [data.times, data.values, data.pace];
  // The forecast's cone: its 80% interval as a shaded band between the high and low
  // edges, and the forecast line from the latest check-in to the cycle's end.
  if (data.forecast) {
    const purple = colour("--mp-purple", "#7b1fa2");
    const edge = (label) => ({ label, stroke: purple, width: 1, alpha: 0.6, spanGaps: true, points: { show: false }, value: (_, v) => format(v) });
    const high = options.series.push(edge("forecast high (80%)")) - 1;
    const low = options.series.push(edge("forecast low (80%)")) - 1;
    options.series.push({ label: "forecast", stroke: purple, width: 2, dash: [2, 3], spanGaps: true, points: { show: true, size: 5 }, value: (_, v) => format(v) });
    options.bands = [{ series: [high, low], fill: colour("--mp-cone", "rgba(123, 31, 162, 0.15)") }];
    columns.push(data.forecast.high, data.forecast.low, data.forecast.value);
  }
  // Horizontal lines (a KPI's target and the edges of its warning band) as constant series.
  for (const line of data.lines || []) {
    options.series.push({ label: line.label, stroke: colour(line.label === "target" || line.label.startsWith("range") ? "--mp-green" : "--mp-amber", "#2e7d32"), width: 1.5, dash: [4, 4], points: { show: false }, value: (_, v) => format(v) });
    columns.push(data.times.map(() => line.value));
  }
  figure.classList.add("drawn");
  new uPlot(options, columns, figure);
}

function drawAll(root) {
  root.querySelectorAll("figure.burnup[data-chart]:not(.drawn)").forEach(drawBurnup);
}

document.addEventListener("DOMContentLoaded", () => drawAll(document));
document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));

// A form shown again with problems: every problem is marked at its field and summed up
// at the top; focus goes to the first field at fault, so a keyboard or screen reader
// user starts where the fixing starts.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("form [aria-invalid='true']");
  if (first) first.focus();
});

// On a phone the main navigation collapses behind its Menu button; without JavaScript
// the button stays hidden and the links wrap instead.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector("body > header > nav");
  const toggle = nav?.querySelector(".menu-toggle");
  if (!nav || !toggle) return;
  nav.classList.add("collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      nav.classList.remove("open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
});
