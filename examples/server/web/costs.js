"use strict";
// The month so far, from /api/costs: charts drawn here as SVG, each with its
// numbers in a table beside it. Texts from the server go in as text.
const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#1f7a4d", "#2e90fa", "#f79009", "#7a5af8", "#ee46bc", "#667085", "#b42318"];
const $ = (id) => document.getElementById(id);

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// A bar chart: one bar per label, each bar stacked by series.
function bars(target, labels, series, values, title) {
  const width = 560, height = 260, left = 60, bottom = 40, top = 10;
  const totals = labels.map((_, i) => series.reduce((sum, _s, j) => sum + (values[j][i] || 0), 0));
  const max = Math.max(0.0001, ...totals);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height + 20 * Math.ceil(series.length / 3)}`, role: "img",
                          "aria-label": title });
  const step = (width - left) / Math.max(1, labels.length);
  svg.append(el("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: "#98a2b3" }));
  svg.append(el("text", { x: 0, y: top + 10, "font-size": 11 }, max.toFixed(4)));
  svg.append(el("text", { x: 0, y: height - bottom, "font-size": 11 }, "0"));
  labels.forEach((label, i) => {
    let y = height - bottom;
    series.forEach((_s, j) => {
      const v = values[j][i] || 0;
      const h = (v / max) * (height - bottom - top);
      if (h > 0) {
        const w = Math.max(2, Math.min(48, step - 8));
        svg.append(el("rect", { x: left + i * step + (step - w) / 2, y: y - h, width: w, height: h,
                                fill: COLORS[j % COLORS.length] }));
      }
      y -= h;
    });
    svg.append(el("text", { x: left + i * step + step / 2, y: height - bottom + 14, "font-size": 10,
                            "text-anchor": "middle" }, label));
  });
  series.forEach((s, j) => {
    const x = left + (j % 3) * 170, y = height + 4 + 18 * Math.floor(j / 3);
    svg.append(el("rect", { x, y, width: 10, height: 10, fill: COLORS[j % COLORS.length] }));
    svg.append(el("text", { x: x + 14, y: y + 9, "font-size": 11 }, s));
  });
  $(target).replaceChildren(svg);
}

function table(target, head, rows) {
  const t = $(target);
  t.replaceChildren();
  const tr = document.createElement("tr");
  for (const h of head) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; tr.append(th); }
  t.append(tr);
  for (const row of rows) {
    const r = document.createElement("tr");
    row.forEach((cell, i) => { const td = document.createElement(i === 0 ? "th" : "td"); td.textContent = cell; r.append(td); });
    t.append(r);
  }
}

async function load() {
  const token = sessionStorage.getItem("chatdesk-token");
  if (!token) { $("status").textContent = "Sign in on the inbox first."; return; }
  const res = await fetch("/api/costs", { headers: { Authorization: "Bearer " + token } });
  const body = await res.json();
  if (res.status !== 200) { $("status").textContent = (body.error && body.error.message) || "no costs"; return; }
  const models = body.models;
  const inForce = models.find((m) => m.model === "pmp_2026_10") || models[0];
  $("in-force").textContent = inForce.model + " (" + inForce.currency + ")";
  $("invoice-model").textContent = inForce.model + ": " + inForce.total + " " + inForce.currency;
  table("invoice-table", ["business", "month", "market", "category", "tier", "messages", "unit price", "amount"],
        (inForce.invoice.lines || []).map((l) => [l.business, l.month, l.market, l.category, l.tier, String(l.count),
                                                   l.unit_price, l.amount]));
  const days = [...new Set(inForce.days.map((d) => d.day))].sort();
  const categories = [...new Set(inForce.days.map((d) => d.category))].sort();
  const sum = (rows, f) => rows.filter(f).reduce((a, d) => a + Number(d.amount), 0);
  const byDay = categories.map((c) => days.map((day) => sum(inForce.days, (d) => d.day === day && d.category === c)));
  bars("by-day-chart", days.map((d) => d.slice(5)), categories, byDay, "Cost per day by category");
  table("by-day-table", ["day", ...categories],
        days.map((day, i) => [day, ...categories.map((_c, j) => byDay[j][i].toFixed(4))]));
  const markets = [...new Set(inForce.days.map((d) => d.market))].sort();
  const byMarket = categories.map((c) => markets.map((m) => sum(inForce.days, (d) => d.market === m && d.category === c)));
  bars("by-market-chart", markets, categories, byMarket, "Cost by market and category");
  table("by-market-table", ["market", ...categories],
        markets.map((m, i) => [m, ...categories.map((_c, j) => byMarket[j][i].toFixed(4))]));
  bars("models-chart", models.map((m) => m.model), ["total"], [models.map((m) => Number(m.total))],
       "The month's total under each pricing model");
  table("models-table", ["model", "currency", "total"], models.map((m) => [m.model, m.currency, m.total]));
  $("status").textContent = "the month so far";
}

load().catch((e) => { $("status").textContent = String(e); });
