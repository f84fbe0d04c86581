/* Industry domain: parks on the map coloured by leading industry, the project pipeline, the economic structure. */
"use strict";

/* one colour per GB/T 4754-2017 section of a park's first leading industry; grey when none is recorded */
const SECTION_COLOURS = {
  A: "#2f9e44", B: "#795548", C: "#e8590c", D: "#f59f00", E: "#868e96", F: "#a61e4d", G: "#d6336c", H: "#ae3ec9",
  I: "#7048e8", J: "#4263eb", K: "#1c7ed6", L: "#1098ad", M: "#0b7285", N: "#37b24d", O: "#74b816", P: "#f08c00",
  Q: "#c92a2a", R: "#5f3dc4", S: "#495057", T: "#343a40",
};
const NO_SECTION = "#adb5bd";
const SECTOR_COLOURS = { primary: "#2f9e44", secondary: "#e8590c", tertiary: "#1c7ed6" };
const STAGE_LABELS = { signed: "signed 签约", construction: "construction 在建", operating: "operating 投产", cancelled: "cancelled 取消" };

function parkColour(p) { return SECTION_COLOURS[p.leading_section] || NO_SECTION; }

function money(cny) { return cny == null ? "—" : `${(cny / 1e8).toLocaleString("en", { maximumFractionDigits: 2 })} 亿元`; }

function addParks(map, parks) {
  for (const p of parks) {
    L.circleMarker([p.lat, p.lon], { className: "industry-park", radius: 7, color: parkColour(p), weight: 2, fillOpacity: 0.55, dashArray: p.approximate ? "3 3" : null })
      .bindTooltip(`${esc(p.code)} ${esc(p.name_zh)}<br>${esc(p.name_en)}<br>${esc(p.leading_name || "no leading industry recorded")}${p.approximate ? "<br><i>point: the jurisdiction's reference point</i>" : ""}`)
      .addTo(map);
  }
}

/* a horizontal bar per city: primary, secondary, tertiary shares [%] side by side */
function structureChart(rows) {
  const cities = [...new Map(rows.map((r) => [r.city, r.city_name])).entries()];
  const h = 22 * cities.length + 30, w = 900, left = 120;
  let svg = `<svg class="chart" id="structure-chart" viewBox="0 0 ${w} ${h}" style="height:${h}px" role="img" aria-label="sector shares by city">`;
  cities.forEach(([code, name], i) => {
    let x = left;
    const y = 10 + i * 22;
    svg += `<text x="4" y="${y + 13}">${esc(name)}</text>`;
    for (const sector of ["primary", "secondary", "tertiary"]) {
      const r = rows.find((q) => q.city === code && q.sector === sector);
      if (!r) continue;
      const width = (r.share / 100) * (w - left - 10);
      svg += `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="16" fill="${SECTOR_COLOURS[sector]}"><title>${esc(name)} ${sector}: ${r.share.toFixed(1)} %, LQ ${r.lq.toFixed(2)}</title></rect>`;
      x += width;
    }
  });
  svg += "</svg>";
  const legend = Object.entries(SECTOR_COLOURS).map(([s, c]) => `<span><i style="background:${c}"></i>${s}</span>`).join("");
  return svg + `<div class="legend">${legend}<span class="muted">[% of the city's value added]</span></div>`;
}

async function structureCard(years) {
  if (!years.length) return '<div class="card"><h2>Economic structure 产业结构</h2><p class="muted">No structure table stored yet: xietong industry import-structure FILE.</p></div>';
  const year = years[years.length - 1];
  const [rows, pairs] = await Promise.all([api(`/industry/structure?year=${year}`), api(`/industry/similarity?year=${year}`)]);
  const mean = pairs.length ? pairs.reduce((s, p) => s + p.similarity, 0) / pairs.length : null;
  return `<div class="card"><h2>Economic structure 产业结构 ${year}</h2>${structureChart(rows)}
    <p>Mean structural similarity of the ${pairs.length} pairs of cities: <b id="mean-similarity">${mean == null ? "—" : mean.toFixed(4)}</b> (1 = identical structures)</p></div>`;
}

async function industryPage() {
  const [parks, pipeline, projects, years, links] = await Promise.all([
    api("/industry/parks"), api("/industry/pipeline"), api("/industry/projects?limit=200"), api("/industry/structure/years"),
    api("/industry/task-links").catch(() => []),
  ]);
  const linked = {};
  for (const l of links) (linked[l.park] = linked[l.park] || []).push(l);
  $("#main").innerHTML = `
    <h1>Industrial cooperation 产业协同</h1>
    <div class="grid">
      <div id="industry-map" class="map"></div>
      <div class="card"><h2>Project pipeline 项目进度</h2>
        <table id="pipeline"><thead><tr><th>stage</th><th>projects</th><th>investment</th><th>jobs</th></tr></thead><tbody>
        ${pipeline.map((s) => `<tr data-stage="${esc(s.stage)}"><td>${esc(STAGE_LABELS[s.stage] || s.stage)}</td><td>${s.projects}</td><td>${esc(money(s.investment_cny))}</td><td>${s.jobs}</td></tr>`).join("")}
        </tbody></table>
        <table id="projects"><thead><tr><th>#</th><th>project</th><th>from → to</th><th>park</th><th>stage</th></tr></thead><tbody>
        ${projects.map((p) => `<tr><td>${p.id}</td><td>${esc(p.name)}<div class="muted">${esc(p.enterprise)} · ${esc(p.industry_code)} ${esc(p.industry_name)}</div></td><td>${esc(p.origin)} → ${esc(p.destination)}${p.origin_confirmed ? ' <span class="pill">confirmed</span>' : ""}</td><td>${esc(p.park || "")}</td><td>${esc(p.stage)} ${esc(p.stage_date)}</td></tr>`).join("") || '<tr><td colspan="5" class="muted">No projects yet.</td></tr>'}
        </tbody></table></div>
    </div>
    <div class="card"><h2>Parks and undertaking platforms 园区与承接平台 (${parks.length})</h2>
      <table id="parks"><thead><tr><th>park</th><th>jurisdiction</th><th>level</th><th>leading industries</th><th>agreement tasks</th></tr></thead><tbody>
      ${parks.map((p) => `<tr data-park="${esc(p.code)}"><td><i style="display:inline-block;width:.7rem;height:.7rem;border-radius:50%;background:${parkColour(p)}"></i> ${esc(p.code)} ${esc(p.name_zh)}<div class="muted">${esc(p.name_en)}</div></td>
        <td>${esc(p.jurisdiction_name)}${p.partner ? `<div class="muted">with ${esc(p.partner)}</div>` : ""}</td><td>${esc(p.level)}</td>
        <td>${esc((p.leading_industries || []).join(" "))}<div class="muted">${esc(p.leading_name || "")}</div></td>
        <td>${(linked[p.code] || []).map((l) => `<div>${esc(l.number)} <span class="muted">${esc(String(l.text).slice(0, 60))}…</span></div>`).join("")}</td></tr>`).join("")}
      </tbody></table></div>
    ${await structureCard(years)}`;
  const map = await regionMap($("#industry-map"));
  addParks(map, parks);
}

registerPage("industry", industryPage);
registerLayer(async (map) => {
  try { addParks(map, await api("/industry/parks")); } catch (_) { /* no read access: the overview stays without parks */ }
});
