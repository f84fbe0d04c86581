/* Xietong dashboard: a thin client of the HTTP API (/api/v1). No build step, no external assets. */
"use strict";

const API = "/api/v1";
const $ = (sel, root = document) => root.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const LEVEL_COLOURS = { 1: "#00E400", 2: "#FFFF00", 3: "#FF7E00", 4: "#FF0000", 5: "#99004C", 6: "#7E0023" };
const WARNING_COLOURS = { none: "#9aa5b1", blue: "#1e6fd9", yellow: "#f2c200", orange: "#FF7E00", red: "#e00000" };
const POLLUTANT_COLOURS = { pm25: "#7E0023", pm10: "#FF7E00", no2: "#0b6bcb", o3: "#2f9e44", so2: "#8f5bd6", co: "#555" };

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

/* ------------------------------------------------------- cooperation agreements (issue 7) */

const STATUS_COLOURS = { not_started: "#9aa5b1", in_progress: "#0b6bcb", done: "#2f9e44", blocked: "#e03131", dropped: "#5c5f66" };
const STATUS_LABELS = { not_started: "not started 未启动", in_progress: "in progress 推进中", done: "done 已完成", blocked: "blocked 受阻", dropped: "dropped 已取消" };
const COMPARATOR_SYMBOLS = { ge: "≥", le: "≤", gt: ">", lt: "<", eq: "=" };

function pct(v) { return v == null ? "—" : `${v.toFixed(1)} %`; }
/* an instant from the API (UTC) as China Standard Time, to the minute */
function cst(iso) { return iso ? new Date(Date.parse(iso) + 8 * 3600e3).toISOString().slice(0, 16).replace("T", " ") : ""; }

function bar(progress, { width = 160 } = {}) {
  const p = progress == null ? 0 : Math.max(0, Math.min(100, progress));
  return `<span class="bar" role="img" aria-label="${esc(pct(progress))}" style="display:inline-block;vertical-align:middle;width:${width}px;height:.7rem;background:#eef1f4;border-radius:.3rem;overflow:hidden">`
    + `<span style="display:block;height:100%;width:${p}%;background:${p >= 100 ? STATUS_COLOURS.done : "#0b6bcb"}"></span></span>`;
}

function statusPill(status) {
  return `<span class="pill status" data-status="${esc(status)}" style="border-color:${STATUS_COLOURS[status]};color:${STATUS_COLOURS[status]}">${esc(STATUS_LABELS[status] || status)}</span>`;
}

function indicatorCell(task) {
  return (task.indicators || []).map((b) => {
    const value = b.value == null ? "—" : Number(b.value).toLocaleString("en");
    const mark = b.met == null ? '<span class="muted">no value yet</span>' : (b.met ? '<b style="color:#2f9e44">met</b>' : '<b style="color:#e03131">not met</b>');
    return `<div class="indicator" title="${esc(b.name)}${b.as_of ? ` — data as of ${esc(cst(b.as_of))} CST` : ""}">${esc(b.name)}: ${esc(value)} ${COMPARATOR_SYMBOLS[b.comparator] || ""} ${esc(b.target)} ${esc(b.unit)} ${mark}</div>`;
  }).join("");
}

function rollupRows(groups, cls) {
  return groups.map((g) => `<tr class="${cls}" data-key="${esc(g.key)}"><td>${esc(g.label)}</td><td>${g.tasks}</td>
    <td style="white-space:nowrap">${bar(g.progress_pct)} ${esc(pct(g.progress_pct))}</td><td>${g.done}</td><td>${g.overdue || ""}</td></tr>`).join("");
}

function rollupTable(title, groups, cls) {
  return `<div class="card"><h2>${esc(title)}</h2><table><thead><tr><th></th><th>tasks</th><th>progress</th><th>done</th><th>overdue</th></tr></thead>
    <tbody>${rollupRows(groups, cls) || '<tr><td colspan="5" class="muted">No tasks.</td></tr>'}</tbody></table></div>`;
}

function taskTable(tasks, { withAgreement = false } = {}) {
  const areas = [...new Map(tasks.map((t) => [t.area, t.area_label])).entries()];
  const leads = [...new Set(tasks.flatMap((t) => t.lead_names))].sort();
  const options = (values) => values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join("");
  return `<div class="card"><h2>Tasks 任务</h2>
    <form class="controls" id="task-filter">
      <label>area <select name="area"><option value="">all</option>${areas.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join("")}</select></label>
      <label>status <select name="status"><option value="">all</option>${Object.keys(STATUS_LABELS).map((s) => `<option value="${s}">${esc(STATUS_LABELS[s])}</option>`).join("")}</select></label>
      <label>lead <select name="lead"><option value="">all</option>${options(leads)}</select></label>
      <span class="muted" id="task-count"></span>
    </form>
    <table id="tasks"><thead><tr>${withAgreement ? "<th>agreement</th>" : ""}<th>no.</th><th>area</th><th>lead</th><th>status</th><th>progress</th><th>due</th><th>indicator</th><th>task</th></tr></thead><tbody>
    ${tasks.map((t) => `<tr class="clickable task" data-agreement="${t.agreement_id}" data-task="${esc(t.id)}" data-area="${esc(t.area)}" data-status="${esc(t.status)}" data-lead="${esc(t.lead_names.join("|"))}">
      ${withAgreement ? `<td>${t.agreement_id}</td>` : ""}<td>${esc(t.number)}</td><td>${esc(t.area_label)}</td>
      <td>${esc(t.lead_names.join(", "))}${t.partner_names.length ? `<div class="muted">with ${esc(t.partner_names.join(", "))}</div>` : ""}</td>
      <td>${statusPill(t.status)}</td><td style="white-space:nowrap">${bar(t.progress_pct, { width: 70 })} ${esc(pct(t.progress_pct))}</td>
      <td>${esc(t.due || "")}${t.overdue ? ' <b style="color:#e03131">overdue</b>' : ""}</td>
      <td>${indicatorCell(t)}</td><td>${esc(t.text)}</td></tr>`).join("") || '<tr><td colspan="9" class="muted">No tasks.</td></tr>'}
    </tbody></table></div>`;
}

function wireTaskTable() {
  const form = $("#task-filter");
  if (!form) return;
  const apply = () => {
    const f = new FormData(form);
    let shown = 0;
    for (const row of document.querySelectorAll("#tasks tr.task")) {
      const ok = (!f.get("area") || row.dataset.area === f.get("area"))
        && (!f.get("status") || row.dataset.status === f.get("status"))
        && (!f.get("lead") || row.dataset.lead.split("|").includes(f.get("lead")));
      row.hidden = !ok;
      if (ok) shown++;
    }
    $("#task-count").textContent = `${shown} task(s)`;
  };
  form.addEventListener("change", apply);
  for (const row of document.querySelectorAll("#tasks tr.task")) {
    row.addEventListener("click", () => { location.hash = `#/agreements/${row.dataset.agreement}/${encodeURIComponent(row.dataset.task)}`; });
  }
  apply();
}

async function agreementsPage(id) {
  /* #/agreements, #/agreements/{id}, #/agreements/{id}/{task id} */
  const taskId = location.hash.replace(/^#\/?/, "").split("/")[2];
  if (id) return agreementDetail(id, taskId ? decodeURIComponent(taskId) : undefined);
  const list = await api("/agreements");
  if (!list.length) {
    $("#main").innerHTML = `<h1>Cooperation agreements 合作协议</h1><div class="card"><p class="muted">No agreement imported yet:
      <code>xietong agreements import FILE</code> or POST /api/v1/agreements.</p></div>`;
    return;
  }
  const [byArea, byLead, details] = await Promise.all([
    api("/agreements/progress?by=area"),
    api("/agreements/progress?by=jurisdiction"),
    Promise.all(list.map((a) => api(`/agreements/${a.id}`))),
  ]);
  const tasks = details.flatMap((d) => d.tasks);
  $("#main").innerHTML = `<h1>Cooperation agreements 合作协议</h1>
    <div class="card"><table id="agreements"><thead><tr><th>id</th><th>agreement</th><th>parties</th><th>revision</th><th>tasks</th><th>progress</th><th>done</th><th>overdue</th></tr></thead><tbody>
    ${list.map((a) => `<tr class="clickable agreement" data-id="${a.id}"><td>${a.id}</td><td>${esc(a.title)}</td><td>${esc(a.parties.map((p) => p.name).join(", "))}</td>
      <td>${a.revision}</td><td>${a.progress.tasks}</td><td style="white-space:nowrap">${bar(a.progress.progress_pct)} ${esc(pct(a.progress.progress_pct))}</td><td>${a.progress.done}</td><td>${a.progress.overdue || ""}</td></tr>`).join("")}
    </tbody></table>
    <p class="muted">All agreements: ${esc(pct(byArea.total.progress_pct))} over ${byArea.total.tasks} tasks — weighted mean of the tasks' progress, dropped tasks left out.</p></div>
    <div class="grid" style="margin-top:1rem">${rollupTable("Progress by area 按领域", byArea.groups, "area")}${rollupTable("Progress by lead jurisdiction 按牵头方", byLead.groups, "jurisdiction")}</div>
    <div style="margin-top:1rem">${taskTable(tasks, { withAgreement: list.length > 1 })}</div>`;
  for (const row of document.querySelectorAll("tr.agreement")) row.addEventListener("click", () => { location.hash = `#/agreements/${row.dataset.id}`; });
  const filterBy = (name, value) => {
    const select = $(`#task-filter select[name=${name}]`);
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    $("#tasks").scrollIntoView();
  };
  for (const row of document.querySelectorAll("tr.area")) { row.classList.add("clickable"); row.addEventListener("click", () => filterBy("area", row.dataset.key)); }
  const leadNames = Object.fromEntries(tasks.flatMap((t) => t.lead.map((c, i) => [c, t.lead_names[i]])));
  for (const row of document.querySelectorAll("tr.jurisdiction")) { row.classList.add("clickable"); row.addEventListener("click", () => filterBy("lead", leadNames[row.dataset.key])); }
  wireTaskTable();
}

function sectionTree(node, depth = 0) {
  return (node.children || []).map((c) => `<tr class="section" style="${depth ? "" : "font-weight:600"}"><td style="padding-left:${0.5 + depth * 1.2}rem">${esc(c.label)}</td><td>${c.tasks}</td>
    <td style="white-space:nowrap">${bar(c.progress_pct)} ${esc(pct(c.progress_pct))}</td><td>${c.done}</td><td>${c.overdue || ""}</td></tr>${sectionTree(c, depth + 1)}`).join("");
}

async function agreementDetail(id, taskId) {
  const [a, sections] = await Promise.all([
    api(`/agreements/${encodeURIComponent(id)}`),
    api(`/agreements/progress?by=section&agreement=${encodeURIComponent(id)}`),
  ]);
  $("#main").innerHTML = `<h1>${esc(a.title)} <span class="pill">revision ${a.revision}</span></h1>
    <div class="card"><p>Parties: ${esc(a.parties.map((p) => p.name_zh ? `${p.name} ${p.name_zh}` : p.name).join(", ") || "—")};
      date: ${esc(a.date || "—")}; source: ${esc(a.source || "—")}; imported by ${esc(a.imported_by)} at ${esc(cst(a.imported_at))}.</p>
      <p>${bar(a.progress.progress_pct, { width: 240 })} <b>${esc(pct(a.progress.progress_pct))}</b> over ${a.progress.tasks} tasks
      (${Object.entries(a.progress.counts).filter(([, n]) => n).map(([s, n]) => `${n} ${esc(STATUS_LABELS[s] || s)}`).join(", ")}).
      <a href="${API}/agreements/tracking?agreement=${a.id}">tracking CSV</a></p></div>
    <div id="task-detail"></div>
    <div class="card" style="margin-top:1rem"><h2>Progress by section 按章节</h2><table id="sections"><thead><tr><th>section</th><th>tasks</th><th>progress</th><th>done</th><th>overdue</th></tr></thead>
      <tbody>${sectionTree(sections.total)}</tbody></table></div>
    <div style="margin-top:1rem">${taskTable(a.tasks)}</div>`;
  wireTaskTable();
  if (taskId) await taskDetail(a, taskId);
}

async function taskDetail(a, taskId) {
  const [t, history] = await Promise.all([
    api(`/agreements/${a.id}/tasks/${encodeURIComponent(taskId)}`),
    api(`/agreements/${a.id}/tasks/${encodeURIComponent(taskId)}/history`),
  ]);
  const evidence = t.evidence.map((e) => {
    if (e.kind === "link") return `<li><a href="${esc(e.url)}" rel="noopener noreferrer">${esc(e.title)}</a></li>`;
    if (e.kind === "file") return `<li><a href="${API}/agreements/files/${esc(e.sha256)}">${esc(e.title)}</a> <span class="muted">${esc(e.media_type || "")}</span></li>`;
    return `<li>${esc(e.text)}</li>`;
  }).join("");
  $("#task-detail").innerHTML = `<div class="card" style="margin-top:1rem" id="task-card"><h2>Task ${esc(t.number)} <span class="muted">${esc(t.id)}</span> ${statusPill(t.status)}</h2>
    <p>${esc(t.text)}</p>
    <p>Area: ${esc(t.area_label)}; lead: ${esc(t.lead_names.join(", ") || "—")}; partners: ${esc(t.partner_names.join(", ") || "—")};
      strength: ${esc(t.strength)}; weight ${esc(t.weight)}; due ${esc(t.due || "—")}${t.overdue ? ' <b style="color:#e03131">overdue</b>' : ""}.</p>
    <p>${bar(t.progress_pct, { width: 240 })} ${esc(pct(t.progress_pct))}${t.note ? ` — ${esc(t.note)}` : ""}</p>
    ${t.milestones.length ? `<h2>Milestones</h2><ul>${t.milestones.map((m) => `<li>${m.done ? "☑" : "☐"} ${esc(m.title)}${m.due ? ` <span class="muted">(due ${esc(m.due)})</span>` : ""}</li>`).join("")}</ul>` : ""}
    ${evidence ? `<h2>Evidence</h2><ul>${evidence}</ul>` : ""}
    ${t.indicators.length ? `<h2>Indicators</h2>${indicatorCell(t)}` : ""}
    <h2>History</h2><table id="history"><thead><tr><th>version</th><th>time</th><th>who</th><th>action</th><th>changed</th><th>status</th><th>progress</th></tr></thead><tbody>
    ${history.map((h) => `<tr><td>${h.version}</td><td>${esc(cst(h.at))}</td><td>${esc(h.actor)}</td><td>${esc(h.action)}</td><td>${esc(h.changed.join(", "))}</td><td>${statusPill(h.status)}</td><td>${esc(pct(h.progress_pct))}</td></tr>`).join("")}
    </tbody></table></div>`;
  $("#task-card").scrollIntoView();
}

/* ---- Transport: the N-hour circle and planned-line scenarios ---- */
const CIRCLE_CENTRES = ["石家庄", "北京", "天津", "保定", "唐山", "邯郸", "邢台", "沧州", "廊坊", "衡水", "秦皇岛", "张家口", "承德"];
const mins = (v) => (v == null ? "—" : `${Math.round(v)}`);

async function transitPage(arg) {
  const params = new URLSearchParams(arg || "");
  const centre = params.get("centre") || "石家庄";
  const minutes = Number(params.get("minutes") || 90);
  let feed;
  try { feed = await api("/transit/feed"); } catch (err) {
    if (err.status !== 404) throw err;
    $("#main").innerHTML = `<h1>Transport 交通</h1><div class="card"><p>No regional rail feed on this server yet.</p>
      <p class="muted">Build it with <code>xietong transit build-gtfs SOURCE_DIR…</code> (the 12306 / RouteMaster / station-board timetables).</p></div>`;
    return;
  }
  const [circle, scenarios] = await Promise.all([
    api(`/transit/circle?centre=${encodeURIComponent(centre)}&minutes=${minutes}`),
    api("/transit/scenarios"),
  ]);
  $("#main").innerHTML = `
    <h1>${esc(minutes)}-minute circle from ${esc(circle.centre)} ${esc(minutes / 60)}小时交通圈</h1>
    <form id="circle-form" class="controls">
      <label>centre <select id="circle-centre">${CIRCLE_CENTRES.map((c) => `<option${c === circle.centre ? " selected" : ""}>${c}</option>`).join("")}</select></label>
      <label>minutes <input id="circle-minutes" type="number" min="10" max="600" step="5" value="${esc(minutes)}"></label>
      <button type="submit">Show</button>
      <span class="muted">rail feed: ${esc(feed.trips)} trains, service day ${esc(feed.service_date || "—")}; departures ${esc(circle.assumptions.window || "")}</span>
    </form>
    <div class="grid">
      <div id="map" class="map"></div>
      <div class="card"><h2>Targets</h2>
        <table id="circle-table"><thead><tr><th>city</th><th>rail best</th><th>typical</th><th>≤ ${esc(minutes)} min</th><th>road*</th><th>within</th></tr></thead><tbody>
        ${circle.rows.map((r) => `<tr data-city="${esc(r.city)}" title="${esc(r.rail_best_trains || r.note)}"><td>${esc(r.city)}</td><td>${mins(r.rail_min)}</td><td>${mins(r.rail_typical_min)}</td>
          <td>${esc(r.rail_journeys_within)}/${esc(r.rail_journeys)}</td><td>${mins(r.road_min)}</td>
          <td><span class="pill" style="background:${r.within ? "#d3f9d8" : "#ffe3e3"}">${r.within ? "yes" : "no"}</span>${r.note ? ` <span class="muted">${esc(r.note)}</span>` : ""}</td></tr>`).join("")}
        </tbody></table>
        <p class="muted">Minutes, station to station. *Road: ${esc(circle.assumptions.road)} — modelled, not measured.</p>
      </div>
    </div>
    <div class="card" style="margin-top:1rem"><h2>Planned lines 规划线路</h2>
      <table><thead><tr><th>scenario</th><th>status</th><th>stations</th><th></th></tr></thead><tbody>
      ${scenarios.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.status)}</td><td>${esc(s.stations.join(" – "))}</td><td><button data-scenario="${esc(s.id)}">before/after</button></td></tr>`).join("") || '<tr><td colspan="4" class="muted">No scenario files on this server.</td></tr>'}
      </tbody></table>
      <div id="scenario-diff"></div>
    </div>`;
  $("#circle-form").addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/transit/${encodeURIComponent(`centre=${$("#circle-centre").value}&minutes=${$("#circle-minutes").value}`)}`;
  });
  for (const b of document.querySelectorAll("button[data-scenario]")) b.addEventListener("click", () => scenarioDiff(b.dataset.scenario, circle.centre, minutes));
  const map = await regionMap($("#map"));
  const geo = await api(`/transit/circle?centre=${encodeURIComponent(centre)}&minutes=${minutes}&format=geojson`);
  const layer = L.geoJSON(geo, {
    style: (f) => ({ color: f.properties.within ? "#2f9e44" : f.properties.rail_min == null ? "#9aa5b1" : "#e03131", weight: 2, dashArray: f.properties.rail_within ? null : "4 4" }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: f.properties.role === "centre" ? 9 : 6, color: f.properties.role === "centre" ? "#0b6bcb" : (f.properties.within ? "#2f9e44" : "#e03131"), weight: 2, fillOpacity: 0.7, className: "circle-marker" }),
    onEachFeature: (f, layer) => {
      const p = f.properties;
      if (p.role === "centre") layer.bindTooltip(`${p.city} (centre)`);
      else if (p.role === "target") layer.bindTooltip(`${p.city}: rail ${mins(p.rail_min)} min, road ${mins(p.road_min)} min${p.note ? ` — ${p.note}` : ""}`);
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [20, 20] });
}

async function scenarioDiff(id, centre, minutes) {
  $("#scenario-diff").innerHTML = '<p class="muted">Computing…</p>';
  const d = await api(`/transit/scenarios/${encodeURIComponent(id)}/diff?centre=${encodeURIComponent(centre)}&minutes=${minutes}`);
  const changed = d.rows.filter((r) => r.changed);
  $("#scenario-diff").innerHTML = `<h2>${esc(d.name)}: before → after</h2>
    <table id="diff-table"><thead><tr><th>city</th><th>rail before</th><th>rail after</th><th>change</th><th>within before → after</th></tr></thead><tbody>
    ${changed.map((r) => `<tr><td>${esc(r.city)}</td><td>${mins(r.rail_min_before)}</td><td>${mins(r.rail_min_after)}</td><td>${r.rail_change_min == null ? "—" : esc(Math.round(r.rail_change_min))}</td><td>${r.within_before ? "yes" : "no"} → ${r.within_after ? "yes" : "no"}</td></tr>`).join("") || '<tr><td colspan="5" class="muted">No target changes.</td></tr>'}
    </tbody></table><p class="muted">The line's running times and headways are assumptions (see the scenario file).</p>`;
}

/* ---- Water: sections, latest class, incidents ---- */
const CLASS_COLOURS = { I: "#4dabf7", II: "#1c7ed6", III: "#2f9e44", IV: "#f2c200", V: "#FF7E00", "劣V": "#e03131" };

async function waterPage() {
  const [sections, classes, incidents] = await Promise.all([api("/water/sections"), api("/water/classify"), api("/water/incidents")]);
  const latest = {};
  for (const c of classes) if (!latest[c.section] || c.time > latest[c.section].time) latest[c.section] = c;
  const shown = sections.filter((s) => latest[s.code]);
  $("#main").innerHTML = `
    <h1>Cross-border rivers 跨界河流 — GB 3838-2002</h1>
    <div class="grid">
      <div class="card"><h2>Latest class per section (${shown.length} with samples of ${sections.length})</h2>
        <table id="water-table"><thead><tr><th>section</th><th>river</th><th>jurisdiction</th><th>time</th><th>class</th><th>target</th><th>main pollutants</th></tr></thead><tbody>
        ${shown.map((s) => { const c = latest[s.code]; return `<tr><td>${esc(s.code)} ${esc(s.name)}${s.cross_border ? ' <span class="pill">cross-border</span>' : ""}</td><td>${esc(s.river)}</td><td>${esc(s.jurisdiction)}</td><td>${esc(fmtTime(c.time))}</td>
          <td><span class="level" style="background:${CLASS_COLOURS[c.water_class] || "#ddd"};color:#fff">${esc(c.water_class || "—")}</span></td><td>${esc(s.target_class)}${s.target_class_assumed ? "*" : ""}</td><td>${esc(c.main_pollutants)}${c.exceeds_target ? ' <span class="pill" style="background:#ffe3e3">exceeds target</span>' : ""}</td></tr>`; }).join("") || '<tr><td colspan="7" class="muted">No samples yet: xietong water ingest …</td></tr>'}
        </tbody></table><p class="muted">* target class assumed (not published with the section).</p></div>
      <div class="card"><h2>Incidents</h2>
        <table id="incident-table"><thead><tr><th>#</th><th>section</th><th>status</th><th>started</th><th>downstream sections</th></tr></thead><tbody>
        ${incidents.map((i) => `<tr><td>${esc(i.id)}</td><td>${esc(i.section)} ${esc(i.section_name)} (${esc(i.river)})</td><td>${esc(i.status)}</td><td>${esc(fmtTime(i.started_at || ""))}</td><td>${esc((i.downstream || []).length)}</td></tr>`).join("") || '<tr><td colspan="5" class="muted">No incidents.</td></tr>'}
        </tbody></table></div>
    </div>`;
}

const PAGES = {
  "": overview,
  air: airPage,
  warnings: warningsPage,
  water: waterPage,
  transit: transitPage,
  agreements: agreementsPage,
};

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
route();
