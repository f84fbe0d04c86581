/* Xietong dashboard shell: a thin client of the HTTP API (/api/v1). No build step, no external assets.

   The platform's part: helpers, the overview, the hash router and two registries the domains' scripts fill
   (domain contract: each domain's Page script is served from /static/domains/<domain>/ and loaded after this
   file):
     registerPage(id, render)    render(arg) draws #/<id>/<arg> into #main
     registerLayer(add)          add(map) draws the domain's layer on the overview map */
"use strict";

const API = "/api/v1";
const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const LEVEL_COLOURS = { 1: "#00E400", 2: "#FFFF00", 3: "#FF7E00", 4: "#FF0000", 5: "#99004C", 6: "#7E0023" };

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
  const hint = err.status === 401 ? "\nEnter an API token above (the server does not allow anonymous reading)." : "";
  $("#main").innerHTML = `<div class="error" role="alert">${esc(err.message)}${esc(hint)}</div>`;
}

function fmtTime(iso) { return iso ? iso.replace("T", " ").replace(/:00\+08:00$/, "") : ""; }

/* A Leaflet map of the region without tiles (works offline); boundaries when the server has them. */
async function regionMap(el) {
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: true }).setView([39.3, 116.3], 7);
  map.attributionControl.setPrefix("Leaflet");
  try {
    const boundaries = await api("/region/boundaries");
    L.geoJSON(boundaries, { style: { color: "#8aa0b6", weight: 1, fillColor: "#ffffff", fillOpacity: 0.6 } }).addTo(map);
  } catch (_) {
    // no boundary file configured: draw a graticule so the points have a frame of reference
    for (let lon = 112; lon <= 121; lon += 1) L.polyline([[35, lon], [43, lon]], { color: "#d5dde6", weight: 1 }).addTo(map);
    for (let lat = 35; lat <= 43; lat += 1) L.polyline([[lat, 112], [lat, 121]], { color: "#d5dde6", weight: 1 }).addTo(map);
  }
  return map;
}

function chart(series, { unit = "µg/m³" } = {}) {
  // series: [{name, colour, points: [[Date, value|null], …]}]
  const w = 900, h = 260, pad = { l: 44, r: 10, t: 10, b: 24 };
  const all = series.flatMap((s) => s.points.filter((p) => p[1] != null));
  if (!all.length) return '<p class="muted">No values in this period.</p>';
  const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]));
  const vmax = Math.max(10, ...all.map((p) => p[1]));
  const x = (t) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / vmax) * (h - pad.t - pad.b);
  let svg = `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="time series">`;
  for (let k = 0; k <= 4; k++) {
    const v = (vmax * k) / 4;
    svg += `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#eef1f4"/>`;
    svg += `<text x="4" y="${y(v) + 4}">${Math.round(v)}</text>`;
  }
  svg += `<text x="${pad.l}" y="${h - 6}">${esc(new Date(t0).toISOString().slice(0, 10))}</text>`;
  svg += `<text x="${w - pad.r - 70}" y="${h - 6}">${esc(new Date(t1).toISOString().slice(0, 10))}</text>`;
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
  const legend = series.map((s) => `<span><i style="background:${s.colour}"></i>${esc(s.name)}</span>`).join("");
  return svg + `<div class="legend">${legend}<span class="muted">[${esc(unit)}; CO mg/m³ ×100]</span></div>`;
}


/* ---------------------------------------------------------------- registries (domain contract) */
const PAGES = {};
const LAYERS = [];
function registerPage(id, render) { PAGES[id] = render; }
function registerLayer(add) { LAYERS.push(add); }

/* an instant from the API (UTC) as China Standard Time, to the minute */
function cst(iso) { return iso ? new Date(Date.parse(iso) + 8 * 3600e3).toISOString().slice(0, 16).replace("T", " ") : ""; }

/* ---------------------------------------------------------------- overview (platform) */
async function overview() {
  const jurisdictions = await api("/region/jurisdictions");
  $("#main").innerHTML = `
    <h1>Beijing–Tianjin–Hebei 京津冀</h1>
    <div class="grid">
      <div id="map" class="map"></div>
      <div class="card"><h2>Jurisdictions of the exchange</h2>
        <table><thead><tr><th>code</th><th>name</th><th></th></tr></thead><tbody>
        ${jurisdictions.map((j) => `<tr><td>${esc(j.code)}</td><td>${esc(j.name_zh)}</td><td>${esc(j.name_en)}</td></tr>`).join("")}
        </tbody></table></div>
    </div>`;
  const map = await regionMap($("#map"));
  for (const j of jurisdictions) {
    L.circleMarker([j.lat, j.lon], { radius: 6, color: "#0b6bcb", weight: 2, fillOpacity: 0.2 })
      .bindTooltip(`${j.name_zh} ${j.name_en}`).addTo(map);
  }
  for (const add of LAYERS) await add(map);
}
registerPage("", overview);

async function route() {
  generation += 1;
  const [page, arg] = location.hash.replace(/^#\/?/, "").split("/");
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", (a.dataset.page === "overview" ? "" : a.dataset.page) === (page || ""));
  const render = PAGES[page || ""] || overview;
  $("#main").innerHTML = '<p class="muted">Loading…</p>';
  try { await render(arg ? decodeURIComponent(arg) : undefined); } catch (err) { showError(err); }
}

$("#token").value = token();
$("#token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  localStorage.setItem("xietong-token", $("#token").value.trim());
  route();
});
window.addEventListener("hashchange", route);
/* "load" fires after every domain script has registered its pages */
window.addEventListener("load", route);
