/* Xietong dashboard shell: a thin client of the HTTP API (/api/v1). No build step, no external assets, no
   inline scripts (a Content-Security-Policy can forbid them).

   The platform's part: helpers, languages, the overview, the hash router and two registries the domains'
   scripts fill (domain contract: each domain's Page script is served from /static/domains/<domain>/ and loaded
   after this file; see docs/ARCHITECTURE.md "The dashboard"):

     registerPage(id, render)   render(arg) draws #/<id>/<arg> into #main
     registerLayer(layer)       a layer of the region map (#/map) and of the overview map:
       { id, order, title: {zh, en}, timed, overview,
         hours?: async () => [[firstIso, lastIso], …]   runs of hour labels this layer has data for,
         legend: (state) => [{colour, label, shape?, dashed?}, …]   every colour with its meaning as text,
         add: async (map, state) => Leaflet layer | {layer, text} }   text: HTML describing what is drawn
       state = {hour: ISO hour label in CST or null for "latest/now", lang}; a timed layer is drawn again
       when the map's hour changes.

   Languages: tx(zh, en) picks the text of the chosen language (kept in localStorage, <html lang> follows);
   placeName(p) the name_zh / name_en of reference data. Times are shown in China Standard Time (cst()). */
"use strict";

const API = "/api/v1";
const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/* ---------------------------------------------------------------- languages */
const HTML_LANG = { zh: "zh-CN", en: "en" };
let LANG = localStorage.getItem("xietong-lang") === "en" ? "en" : "zh";
function tx(zh, en) { return LANG === "en" ? en : zh; }
/* a place, station or section of the reference data in the chosen language (falls back to the other) */
function placeName(p) { return p ? (LANG === "en" ? (p.name_en || p.name_zh || p.name) : (p.name_zh || p.name || p.name_en)) : ""; }

/* place names by Chinese short name or code, from the reference data (filled once by loadPlaces) */
const PLACES = { byKey: {} };
async function loadPlaces() {
  if (PLACES.loaded) return;
  const page = await api("/features/collections/jurisdictions/items?limit=1000");
  for (const f of page.features) {
    const p = f.properties;
    for (const key of [p.code, p.name_zh, p.name_zh.replace(/市$/, ""), p.name_en]) PLACES.byKey[key] = p;
  }
  PLACES.loaded = true;
}
/* "北京" / "110000" → 北京 or Beijing */
function cityName(key) { const p = PLACES.byKey[key]; return p ? (LANG === "en" ? p.name_en : p.name_zh.replace(/市$/, "")) : key; }

function applyLanguage() {
  document.documentElement.lang = HTML_LANG[LANG];
  document.title = tx("协同 — 京津冀协同发展平台", "Xietong — Jing-Jin-Ji coordination platform");
  for (const el of document.querySelectorAll("[data-zh]")) el.textContent = LANG === "en" ? el.dataset.en : el.dataset.zh;
  for (const el of document.querySelectorAll("[data-placeholder-zh]")) el.placeholder = LANG === "en" ? el.dataset.placeholderEn : el.dataset.placeholderZh;
  for (const el of document.querySelectorAll("[data-label-zh]")) el.setAttribute("aria-label", LANG === "en" ? el.dataset.labelEn : el.dataset.labelZh);
  const sw = $("#lang-switch");
  sw.textContent = LANG === "en" ? "中文" : "English";
  sw.lang = LANG === "en" ? "zh-CN" : "en";
  sw.setAttribute("aria-label", LANG === "en" ? "切换到中文" : "Switch to English");
}

/* ---------------------------------------------------------------- API */
function token() { return localStorage.getItem("xietong-token") || ""; }

/* Each navigation starts a new generation; answers that arrive for an older page are dropped, so a slow
   page never overwrites the one the user has moved to. */
let generation = 0;
class StaleError extends Error {}

async function api(path, options = {}) {
  const mine = generation;
  const headers = Object.assign({}, options.headers || {});
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch(API + path, Object.assign({}, options, { headers }));
  if (mine !== generation) throw new StaleError(path);
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try { const p = await response.json(); detail = p.detail || p.title || detail; } catch (_) { /* not JSON */ }
    const err = new Error(detail);
    err.status = response.status;
    throw err;
  }
  return response.status === 204 ? null : response.json();
}

function showError(err) {
  if (err instanceof StaleError) return;
  const hint = err.status === 401 ? tx("\n请在上方输入 API 令牌（服务器不允许匿名读取）。", "\nEnter an API token above (the server does not allow anonymous reading).") : "";
  $("#main").innerHTML = `<div class="error" role="alert">${esc(err.message)}${esc(hint)}</div>`;
}

/* ---------------------------------------------------------------- times (always China Standard Time) */
/* an instant with any offset (or Z) as "YYYY-MM-DD HH:MM" in CST */
function cst(iso) { return iso ? new Date(Date.parse(iso) + 8 * 3600e3).toISOString().slice(0, 16).replace("T", " ") : ""; }
function cstDay(ms) { return new Date(ms + 8 * 3600e3).toISOString().slice(0, 10); }
const fmtTime = cst;
/* an hour label (ms) as ISO 8601 with +08:00, as the API takes it */
function cstIso(ms) { return new Date(ms + 8 * 3600e3).toISOString().slice(0, 19) + "+08:00"; }

/* ---------------------------------------------------------------- drawing helpers */
/* a colour swatch as inline SVG (attributes, not style: works under a strict CSP) */
function swatch(colour, { shape = "square", dashed = false, stroke = "#1d2733" } = {}) {
  const dash = dashed ? ' stroke-dasharray="3 2"' : "";
  const body = shape === "circle"
    ? `<circle cx="7" cy="7" r="5.5" fill="${esc(colour)}" stroke="${esc(stroke)}" stroke-width="1"${dash}/>`
    : shape === "line"
      ? `<line x1="1" y1="7" x2="13" y2="7" stroke="${esc(colour)}" stroke-width="3"${dash}/>`
      : `<rect x="1" y="1" width="12" height="12" rx="2" fill="${esc(colour)}" stroke="${esc(stroke)}" stroke-width="1"${dash}/>`;
  return `<svg class="swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">${body}</svg>`;
}

/* a legend: every colour with its meaning in words */
function legendHtml(items) {
  // an item without a colour is a note (the source of the colours, a caveat)
  return `<ul class="legend">${items.map((i) => `<li${i.colour ? "" : ' class="note"'}>${i.colour ? swatch(i.colour, i) : ""}<span>${esc(i.label)}</span></li>`).join("")}</ul>`;
}

/* A Leaflet map of the region without tiles (works offline); boundaries when the operator configured a file. */
async function regionMap(el, { label } = {}) {
  // no fade: a redrawn layer replaces the old one at once (and nothing blinks while the slider plays)
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: true, fadeAnimation: false });
  map.fitBounds([[36.0, 113.2], [42.7, 119.9]]);  // Beijing, Tianjin and Hebei
  map.attributionControl.setPrefix("Leaflet");
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", label || tx("京津冀地图", "Map of Beijing–Tianjin–Hebei"));
  const boundaries = await api("/features/collections/boundaries/items?limit=10000");
  if (boundaries.features.length) {
    L.geoJSON(boundaries, { style: { color: "#8aa0b6", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 }, interactive: false }).addTo(map);
  } else {
    // no boundary file configured (none is bundled): a graticule gives the points a frame of reference
    for (let lon = 112; lon <= 121; lon += 1) L.polyline([[35, lon], [43, lon]], { color: "#d5dde6", weight: 1, interactive: false }).addTo(map);
    for (let lat = 35; lat <= 43; lat += 1) L.polyline([[lat, 112], [lat, 121]], { color: "#d5dde6", weight: 1, interactive: false }).addTo(map);
  }
  return map;
}

/* a table that scrolls sideways on a phone, reachable by keyboard */
function scrollTable(html, label) { return `<div class="table-wrap" tabindex="0" role="region" aria-label="${esc(label)}">${html}</div>`; }

function chart(series, { unit = "µg/m³" } = {}) {
  // series: [{name, colour, points: [[ms, value|null], …]}]; the time axis is labelled in CST
  const w = 900, h = 260, pad = { l: 44, r: 10, t: 10, b: 24 };
  const all = series.flatMap((s) => s.points.filter((p) => p[1] != null));
  if (!all.length) return `<p class="muted">${tx("该时段没有数据。", "No values in this period.")}</p>`;
  const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]));
  const vmax = Math.max(10, ...all.map((p) => p[1]));
  const x = (t) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / vmax) * (h - pad.t - pad.b);
  let svg = `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(tx("时间序列（北京时间）", "time series (China Standard Time)"))}">`;
  for (let k = 0; k <= 4; k++) {
    const v = (vmax * k) / 4;
    svg += `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#eef1f4"/>`;
    svg += `<text x="4" y="${y(v) + 4}">${Math.round(v)}</text>`;
  }
  svg += `<text x="${pad.l}" y="${h - 6}">${esc(cst(new Date(t0).toISOString()))}</text>`;
  svg += `<text x="${w - pad.r}" y="${h - 6}" text-anchor="end">${esc(cst(new Date(t1).toISOString()))} ${tx("北京时间", "CST")}</text>`;
  for (const s of series) {
    let d = "", pen = false;
    for (const [t, v] of s.points) {
      if (v == null) { pen = false; continue; }
      d += `${pen ? "L" : "M"}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    svg += `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.4"><title>${esc(s.name)}</title></path>`;
  }
  svg += "</svg>";
  return svg + legendHtml([...series.map((s) => ({ colour: s.colour, label: s.name, shape: "line" }))])
    + `<p class="muted small">[${esc(unit)}; CO mg/m³ ×100]</p>`;
}

/* ---------------------------------------------------------------- registries (domain contract) */
const PAGES = {};
const LAYERS = [];
function registerPage(id, render) { PAGES[id] = render; }
function registerLayer(layer) {
  // a bare function (the first form of the contract) is a layer drawn on the overview only
  const spec = typeof layer === "function" ? { id: `layer-${LAYERS.length}`, add: layer, overview: true, legend: () => [] } : layer;
  LAYERS.push(Object.assign({ order: 100, timed: false, overview: false, legend: () => [], title: { zh: spec.id, en: spec.id } }, spec));
  LAYERS.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}
/* draw a layer; returns {layer, text} */
async function drawLayer(spec, map, state) {
  const out = await spec.add(map, state);
  const found = out && out.layer ? out : { layer: out, text: "" };
  if (found.layer) found.layer.addTo(map);
  return found;
}

/* the platform's own layer: the jurisdictions of the reference data */
registerLayer({
  id: "jurisdictions", order: 0, overview: true, title: { zh: "行政区", en: "Jurisdictions" },
  legend: () => [{ colour: "#ffffff", stroke: "#0b6bcb", shape: "circle", label: tx("行政区代表点（政府驻地）", "jurisdiction (seat of government)") }],
  add: async () => {
    const page = await api("/features/collections/jurisdictions/items?limit=1000");
    return L.geoJSON(page, {
      filter: (f) => f.properties.jurisdiction,
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 5, color: "#0b6bcb", weight: 2, fillColor: "#ffffff", fillOpacity: 0.9, className: "jurisdiction-marker" }),
      onEachFeature: (f, layer) => layer.bindTooltip(placeName(f.properties)),
    });
  },
});

/* ---------------------------------------------------------------- overview (platform) */
async function overview() {
  await loadPlaces();
  const jurisdictions = await api("/region/jurisdictions");
  $("#main").innerHTML = `
    <h1>${tx("京津冀协同发展", "Beijing–Tianjin–Hebei")}</h1>
    <div class="grid">
      <div><div id="map" class="map"></div><div id="overview-legend"></div>
        <p><a href="#/map">${tx("打开区域一张图（时间滑块、图层、图例）", "Open the region map (time slider, layers, legends)")}</a></p></div>
      <div class="card"><h2>${tx("数据交换的行政区", "Jurisdictions of the exchange")}</h2>
        ${scrollTable(`<table id="jurisdictions"><thead><tr><th>${tx("代码", "code")}</th><th>${tx("名称", "name")}</th><th>${tx("级别", "level")}</th></tr></thead><tbody>
        ${jurisdictions.map((j) => `<tr><td>${esc(j.code)}</td><td>${esc(placeName(j))}</td><td>${esc({ province: tx("省级", "province"), city: tx("地级市", "city"), new_area: tx("新区", "new area") }[j.level] || j.level)}</td></tr>`).join("")}
        </tbody></table>`, tx("行政区列表", "jurisdictions"))}</div>
    </div>`;
  const map = await regionMap($("#map"));
  const state = { hour: null, lang: LANG };
  const shown = LAYERS.filter((l) => l.overview);
  for (const spec of shown) await drawLayer(spec, map, state);
  $("#overview-legend").innerHTML = shown.map((l) => legendHtml(l.legend(state))).join("");
}
registerPage("", overview);

/* ---------------------------------------------------------------- router */
async function route() {
  generation += 1;
  const [page, arg] = location.hash.replace(/^#\/?/, "").split("/");
  for (const a of document.querySelectorAll("#nav a")) {
    const active = (a.dataset.page === "overview" ? "" : a.dataset.page) === (page || "");
    a.classList.toggle("active", active);
    if (active) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  const render = PAGES[page || ""] || overview;
  const main = $("#main");
  main.innerHTML = `<p class="muted">${tx("加载中…", "Loading…")}</p>`;
  delete main.dataset.ready;
  const mine = generation;
  try {
    await loadPlaces();
    await render(arg ? decodeURIComponent(arg) : undefined);
  } catch (err) { showError(err); }
  if (mine === generation) main.dataset.ready = "1";  // the page has drawn (browser tests wait for it)
}

$("#token").value = token();
$("#token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  localStorage.setItem("xietong-token", $("#token").value.trim());
  PLACES.loaded = false;
  route();
});
$("#lang-switch").addEventListener("click", () => {
  LANG = LANG === "en" ? "zh" : "en";
  localStorage.setItem("xietong-lang", LANG);
  applyLanguage();
  route();
});
window.addEventListener("hashchange", route);
applyLanguage();
/* "load" fires after every domain script has registered its pages */
window.addEventListener("load", route);
