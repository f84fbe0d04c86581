/* Xietong dashboard: a thin client of the HTTP API (/api/v1). No build step, no external assets. */
"use strict";

const API = "/api/v1";
const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const LEVEL_COLOURS = { 1: "#00E400", 2: "#FFFF00", 3: "#FF7E00", 4: "#FF0000", 5: "#99004C", 6: "#7E0023" };
const WARNING_COLOURS = { none: "#9aa5b1", blue: "#1e6fd9", yellow: "#f2c200", orange: "#FF7E00", red: "#e00000" };
const POLLUTANT_COLOURS = { pm25: "#7E0023", pm10: "#FF7E00", no2: "#0b6bcb", o3: "#2f9e44", so2: "#8f5bd6", co: "#555" };

function token() { return localStorage.getItem("xietong-token") || ""; }

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch(API + path, Object.assign({}, options, { headers }));
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

/* ---------------------------------------------------------------- pages */

async function overview() {
  const [jurisdictions, stations] = await Promise.all([api("/region/jurisdictions"), api("/air/stations?format=geojson")]);
  const perJ = {};
  for (const f of stations.features) perJ[f.properties.jurisdiction_code] = (perJ[f.properties.jurisdiction_code] || 0) + 1;
  $("#main").innerHTML = `
    <h1>Beijing–Tianjin–Hebei 京津冀</h1>
    <div class="grid">
      <div id="map" class="map"></div>
      <div class="card"><h2>Jurisdictions of the exchange</h2>
        <table><thead><tr><th>code</th><th>name</th><th></th><th>stations</th></tr></thead><tbody>
        ${jurisdictions.map((j) => `<tr><td>${esc(j.code)}</td><td>${esc(j.name_zh)}</td><td>${esc(j.name_en)}</td><td>${perJ[j.code] || 0}</td></tr>`).join("")}
        </tbody></table></div>
    </div>`;
  const map = await regionMap($("#map"));
  for (const j of jurisdictions) {
    L.circleMarker([j.lat, j.lon], { radius: 6, color: "#0b6bcb", weight: 2, fillOpacity: 0.2 })
      .bindTooltip(`${j.name_zh} ${j.name_en}`).addTo(map);
  }
  L.geoJSON(stations, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 3, color: f.properties.background ? "#2f9e44" : "#1d2733", weight: 1, fillOpacity: 0.8, className: "station-marker" }),
    onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.code} ${f.properties.name_zh}`),
  }).addTo(map);
}

async function airPage(code) {
  const stations = await api("/air/stations");
  const coverage = await api("/air/coverage");
  const cov = Object.fromEntries(coverage.map((c) => [c.station, c]));
  const withData = stations.filter((s) => cov[s.code]);
  $("#main").innerHTML = `
    <h1>Air quality 空气质量 — stations</h1>
    <div class="grid">
      <div><div id="map" class="map"></div></div>
      <div class="card"><h2>Stations with data</h2>
        <table><thead><tr><th>code</th><th>name</th><th>hours</th><th>last</th></tr></thead><tbody>
        ${withData.map((s) => `<tr class="clickable" data-code="${esc(s.code)}"><td>${esc(s.code)}</td><td>${esc(s.name_zh)}${s.background ? ' <span class="pill">background</span>' : ""}</td><td>${cov[s.code].hours}</td><td>${esc(fmtTime(cov[s.code].last))}</td></tr>`).join("") || '<tr><td colspan="4" class="muted">No observations yet: xietong air ingest …</td></tr>'}
        </tbody></table></div>
    </div>
    <div id="station" class="card" style="margin-top:1rem"><p class="muted">Choose a station on the map or in the table.</p></div>`;
  const map = await regionMap($("#map"));
  for (const s of stations) {
    if (s.lat == null) continue;
    const has = Boolean(cov[s.code]);
    L.circleMarker([s.lat, s.lon], { radius: has ? 6 : 3, color: has ? "#0b6bcb" : "#9aa5b1", weight: 1, fillOpacity: has ? 0.7 : 0.4, className: "station-marker" })
      .bindTooltip(`${s.code} ${s.name_zh}`).on("click", () => { location.hash = `#/air/${s.code}`; }).addTo(map);
  }
  for (const row of document.querySelectorAll("tr[data-code]")) row.addEventListener("click", () => { location.hash = `#/air/${row.dataset.code}`; });
  if (code && cov[code]) await stationDetail(code, cov[code]);
}

async function stationDetail(code, cov) {
  const last = new Date(cov.last);
  const lastDay = new Date(last.getTime() + 8 * 3600e3 - 3600e3).toISOString().slice(0, 10);
  const firstDay = new Date(last.getTime() + 8 * 3600e3 - 7 * 86400e3).toISOString().slice(0, 10);
  const box = $("#station");
  box.innerHTML = `<h2>Station ${esc(code)}</h2>
    <form class="controls" id="range"><label>from <input type="date" name="from" value="${firstDay}"></label>
    <label>to <input type="date" name="to" value="${lastDay}"></label><button>Show</button>
    <a id="csv" href="#">CSV</a></form><div id="plot"></div>`;
  const draw = async () => {
    const f = new FormData($("#range"));
    const q = `station=${encodeURIComponent(code)}&from=${f.get("from")}&to=${f.get("to")}&limit=100000`;
    $("#csv").href = `${API}/air/observations?${q}&format=csv`;
    const page = await api(`/air/observations?${q}`);
    const cols = ["pm25", "pm10", "no2", "o3", "so2", "co"];
    const names = { pm25: "PM2.5", pm10: "PM10", no2: "NO2", o3: "O3", so2: "SO2", co: "CO" };
    const series = cols.map((c) => ({
      name: names[c], colour: POLLUTANT_COLOURS[c],
      points: page.data.map((r) => [Date.parse(r.time), r[c] == null ? null : (c === "co" ? r[c] * 100 : r[c])]),
    }));
    $("#plot").innerHTML = chart(series) + `<p class="muted">${page.meta.count} hours</p>`;
  };
  $("#range").addEventListener("submit", (e) => { e.preventDefault(); draw().catch(showError); });
  await draw();
}

async function warningsPage(id) {
  if (id) return warningDetail(id);
  const list = await api("/warnings");
  $("#main").innerHTML = `<h1>Regional heavy-pollution warnings 重污染天气预警</h1>
    <div class="card"><table><thead><tr><th>id</th><th>status</th><th>level</th><th>rules</th><th>period</th><th>cities</th></tr></thead><tbody>
    ${list.map((w) => `<tr class="clickable" data-id="${w.id}"><td>${w.id}</td><td>${esc(w.status)}</td>
      <td><span class="level" style="background:${WARNING_COLOURS[w.level]}">${esc(w.level)}</span></td><td>${esc(w.rules)}</td>
      <td>${esc(fmtTime(w.start))} → ${esc(fmtTime(w.end))}</td>
      <td>${w.cities.map((c) => `${esc(c.name_zh)}: ${esc(c.status)}`).join(", ")}</td></tr>`).join("") || '<tr><td colspan="6" class="muted">No warnings.</td></tr>'}
    </tbody></table></div>`;
  for (const row of document.querySelectorAll("tr[data-id]")) row.addEventListener("click", () => { location.hash = `#/warnings/${row.dataset.id}`; });
}

async function warningDetail(id) {
  const w = await api(`/warnings/${encodeURIComponent(id)}`);
  $("#main").innerHTML = `<h1>Warning ${w.id} <span class="pill">${esc(w.status)}</span></h1>
    <div class="card"><p><span class="level" style="background:${WARNING_COLOURS[w.level]}">${esc(w.level)}</span>
      proposed by ${esc(w.proposer)} under ${esc(w.rules)} for ${esc(fmtTime(w.start))} → ${esc(fmtTime(w.end))};
      answers until ${esc(fmtTime(w.deadline))}.</p><p>${esc(w.reason)}</p>
    <h2>Cities</h2><table><thead><tr><th>city</th><th>answer</th><th>answer level</th><th>reason</th><th>status</th><th>level</th></tr></thead><tbody>
    ${w.cities.map((c) => `<tr><td>${esc(c.name_zh)} (${esc(c.city)})</td><td>${esc(c.answer)}</td><td>${esc(c.answer_level)}</td><td>${esc(c.answer_reason)}</td><td>${esc(c.status)}</td><td>${c.level ? `<span class="level" style="background:${WARNING_COLOURS[c.level]}">${esc(c.level)}</span>` : ""}</td></tr>`).join("")}
    </tbody></table>
    <h2>History</h2><table><thead><tr><th>time</th><th>actor</th><th>event</th><th>city</th><th>level</th><th>reason</th></tr></thead><tbody>
    ${w.events.map((e) => `<tr><td>${esc(fmtTime(e.at))}</td><td>${esc(e.actor)}</td><td>${esc(e.kind)}</td><td>${esc(e.city)}</td><td>${esc(e.level)}</td><td>${esc(e.reason)}</td></tr>`).join("")}
    </tbody></table></div>`;
}

function notYet(name) {
  $("#main").innerHTML = `<h1>${esc(name)}</h1><p class="muted">This part of the platform is being built; its API and CLI come first.</p>`;
}

const PAGES = {
  "": overview,
  air: airPage,
  warnings: warningsPage,
  water: () => notYet("Cross-border rivers 跨界河流"),
  transit: () => notYet("Transport 交通"),
  agreements: () => notYet("Cooperation agreements 合作协议"),
};

async function route() {
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
route();
