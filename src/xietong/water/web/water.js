/* Water domain: the sections layer of the region map (coloured by the GB 3838-2002 class of their latest sample,
   open incidents and the sections downstream marked), and the water page (map, latest class per section,
   incidents). The bundled sections have no coordinates: they are drawn in a ring around their jurisdiction's
   point, inside a dashed circle that says so (display only; the features API gives the jurisdiction point with
   approximate = true). */
"use strict";

/* conventional colours of the classes (GB 3838-2002 defines the classes, not colours) */
const CLASS_COLOURS = { I: "#4dabf7", II: "#1c7ed6", III: "#2f9e44", IV: "#f2c200", V: "#FF7E00", "劣V": "#c92a2a" };
const CLASS_NO_DATA = "#b8c1cc";
const CLASS_NAMES = { I: ["Ⅰ类", "class I"], II: ["Ⅱ类", "class II"], III: ["Ⅲ类", "class III"], IV: ["Ⅳ类", "class IV"], V: ["Ⅴ类", "class V"], "劣V": ["劣Ⅴ类", "worse than V"] };
const INCIDENT_STATUS = { open: ["已开启", "open"], acknowledged: ["已确认", "acknowledged"], monitoring: ["联合监测中", "joint monitoring"], closed: ["已关闭", "closed"] };
const className = (c) => (c && CLASS_NAMES[c] ? tx(CLASS_NAMES[c][0], CLASS_NAMES[c][1]) : tx("无数据", "no data"));
const classBadge = (c) => `<span class="level">${swatch(CLASS_COLOURS[c] || CLASS_NO_DATA)}${esc(className(c))}</span>`;

/* positions around a shared point: rings of 8, 16, … markers [degrees]; display only */
function ringPositions(n, lat, lon) {
  const out = [];
  for (let ring = 1, placed = 0; placed < n; ring++) {
    const slots = Math.min(8 * ring, n - placed);
    for (let k = 0; k < slots; k++, placed++) {
      const a = (2 * Math.PI * k) / slots;
      out.push([lat + 0.06 * ring * Math.sin(a), lon + 0.078 * ring * Math.cos(a)]);
    }
  }
  return out;
}

function sectionTooltip(p) {
  const where = p.approximate ? ` · ${tx(`位置为近似（画在${p.jurisdiction_zh || ""}代表点周围）`, `approximate location (drawn around ${p.jurisdiction_en || "its jurisdiction"}'s point)`)}` : "";
  const incident = p.incidents.length ? ` · ${tx("污染事件", "incident")} ${p.incidents.join(", ")}` : "";
  const down = p.downstream_of.length ? ` · ${tx("下游：预计到达", "downstream: ETA")} ${p.downstream_of.map((d) => cst(d.eta)).join(", ")}` : "";
  return `${p.code} ${p.name} (${p.river}): ${className(p.water_class)}${p.time ? ` · ${cst(p.time)}` : ""}${incident}${down}${where}`;
}

const WATER_LAYER = {
  id: "water-sections", order: 5, timed: false, overview: false,  // drawn first: under the stations and cities
  title: { zh: "地表水断面（最新水质类别）", en: "River sections (latest class)" },
  legend: () => [
    ...Object.keys(CLASS_COLOURS).map((c) => ({ colour: CLASS_COLOURS[c], shape: "circle", label: className(c) })),
    { colour: CLASS_NO_DATA, shape: "circle", label: tx("无样品", "no sample") },
    { colour: "#ffffff", shape: "circle", stroke: "#a0001c", label: tx("粗红圈：有未关闭的污染事件", "thick red ring: an open pollution incident") },
    { colour: "#ffffff", shape: "circle", stroke: "#d9480f", dashed: true, label: tx("橙色虚线：事件下游断面", "dashed orange: downstream of an incident") },
    { colour: "#ffffff", shape: "circle", stroke: "#5c6670", dashed: true, label: tx("虚线大圈：断面无坐标，画在所属行政区代表点周围", "large dashed circle: sections without coordinates, drawn around their jurisdiction's point") },
    { colour: null, label: tx("类别依 GB 3838-2002；颜色为惯用色，非标准规定", "classes by GB 3838-2002; the colours are conventional, not the standard's") },
  ],
  add: async () => {
    const page = await api("/features/collections/water-sections/items?limit=10000");
    const group = L.layerGroup();
    const at = {};
    for (const f of page.features.filter((x) => x.geometry)) {
      const key = f.geometry.coordinates.join(",");
      (at[key] = at[key] || []).push(f);
    }
    const drawnAt = {};
    for (const fs of Object.values(at)) {
      const [lon, lat] = fs[0].geometry.coordinates;
      const approximate = fs[0].properties.approximate;
      const spots = approximate ? ringPositions(fs.length, lat, lon) : fs.map(() => [lat, lon]);
      if (approximate) {
        const rings = Math.ceil((Math.sqrt(1 + fs.length) - 1) / 2) + 1;
        L.circle([lat, lon], { radius: 6500 * rings + 2000, color: "#5c6670", weight: 1, dashArray: "4 4", fill: false, interactive: false }).addTo(group);
      }
      fs.forEach((f, i) => {
        const p = f.properties;
        drawnAt[p.code] = spots[i];
        const incident = p.incidents.length > 0, downstream = p.downstream_of.length > 0;
        L.circleMarker(spots[i], {
          radius: 5, fillColor: CLASS_COLOURS[p.water_class] || CLASS_NO_DATA, fillOpacity: 0.95,
          color: incident ? "#a0001c" : downstream ? "#d9480f" : "#1d2733", weight: incident ? 3.5 : downstream ? 2.5 : 1,
          dashArray: downstream && !incident ? "3 2" : null, className: `water-marker water-${p.code}`,
        }).bindTooltip(sectionTooltip(p)).addTo(group);
      });
    }
    const incidents = page.features.filter((f) => f.properties.incidents.length);
    for (const f of page.features) {
      for (const d of f.properties.downstream_of) {
        const from = incidents.find((g) => g.properties.incidents.includes(d.incident));
        if (from && drawnAt[from.properties.code] && drawnAt[f.properties.code]) {
          L.polyline([drawnAt[from.properties.code], drawnAt[f.properties.code]], { color: "#d9480f", weight: 1.5, dashArray: "5 4", interactive: false }).addTo(group);
        }
      }
    }
    const unplaced = page.features.filter((f) => !f.geometry).length;
    const rows = page.features.map((f) => f.properties).filter((p) => p.water_class || p.incidents.length || p.downstream_of.length);
    const text = `<p class="muted small">${tx(`${page.numberMatched} 个断面；${unplaced} 个所属城市不在参考数据中，未画出。`, `${page.numberMatched} sections; ${unplaced} belong to cities outside the reference data and are not drawn.`)}</p>`
      + scrollTable(`<table class="water-layer-table"><thead><tr><th>${tx("断面", "section")}</th><th>${tx("河流", "river")}</th><th>${tx("行政区", "jurisdiction")}</th><th>${tx("类别", "class")}</th><th>${tx("事件", "incidents")}</th></tr></thead><tbody>
      ${rows.map((p) => `<tr><td>${esc(p.code)} ${esc(p.name)}</td><td>${esc(p.river)}</td><td>${esc(tx(p.jurisdiction_zh, p.jurisdiction_en) || p.jurisdiction)}</td><td>${classBadge(p.water_class)}</td>
        <td>${p.incidents.length ? `${tx("事件", "incident")} ${p.incidents.join(", ")}` : ""}${p.downstream_of.length ? `${tx("下游，预计到达", "downstream, ETA")} ${p.downstream_of.map((d) => esc(cst(d.eta))).join(", ")}` : ""}</td></tr>`).join("")}
      </tbody></table>`, tx("断面水质", "sections"));
    return { layer: group, text };
  },
};
registerLayer(WATER_LAYER);

async function waterPage() {
  const [sections, classes, incidents] = await Promise.all([api("/water/sections"), api("/water/classify"), api("/water/incidents")]);
  const latest = {};
  for (const c of classes) if (!latest[c.section] || c.time > latest[c.section].time) latest[c.section] = c;
  const shown = sections.filter((s) => latest[s.code]);
  $("#main").innerHTML = `
    <h1>${tx("跨界河流 — GB 3838-2002 水质", "Cross-border rivers — GB 3838-2002")}</h1>
    <div class="grid">
      <div><div id="map" class="map"></div><div id="water-legend"></div></div>
      <div class="card"><h2>${tx("污染事件", "Incidents")}</h2>
        ${scrollTable(`<table id="incident-table"><thead><tr><th>#</th><th>${tx("断面", "section")}</th><th>${tx("状态", "status")}</th><th>${tx("开始（北京时间）", "started (CST)")}</th><th>${tx("下游断面", "downstream sections")}</th></tr></thead><tbody>
        ${incidents.map((i) => `<tr><td>${esc(i.id)}</td><td>${esc(i.section)} ${esc(i.section_name)} (${esc(i.river)})</td><td>${esc(INCIDENT_STATUS[i.status] ? tx(...INCIDENT_STATUS[i.status]) : i.status)}</td><td>${esc(cst(i.started_at || ""))}</td>
          <td>${esc((i.downstream || []).length)}: ${(i.downstream || []).map((d) => `${esc(d.section)} ${esc(d.name)} (${esc(cst(d.eta))})`).join(", ")}</td></tr>`).join("")
          || `<tr><td colspan="5" class="muted">${tx("没有污染事件。", "No incidents.")}</td></tr>`}
        </tbody></table>`, tx("污染事件", "incidents"))}</div>
    </div>
    <div class="card"><h2>${tx(`各断面最新水质类别（${shown.length} 个有样品，共 ${sections.length} 个）`, `Latest class per section (${shown.length} with samples of ${sections.length})`)}</h2>
        ${scrollTable(`<table id="water-table"><thead><tr><th>${tx("断面", "section")}</th><th>${tx("河流", "river")}</th><th>${tx("行政区", "jurisdiction")}</th><th>${tx("时间（北京时间）", "time (CST)")}</th><th>${tx("类别", "class")}</th><th>${tx("目标", "target")}</th><th>${tx("主要污染物", "main pollutants")}</th></tr></thead><tbody>
        ${shown.map((s) => { const c = latest[s.code]; return `<tr><td>${esc(s.code)} ${esc(s.name)}${s.cross_border ? ` <span class="pill">${tx("跨界", "cross-border")}</span>` : ""}</td><td>${esc(s.river)}</td><td>${esc(cityName(s.jurisdiction))}</td><td>${esc(cst(c.time))}</td>
          <td>${classBadge(c.water_class)}</td><td>${esc(s.target_class)}${s.target_class_assumed ? "*" : ""}</td><td>${esc(c.main_pollutants)}${c.exceeds_target ? ` <span class="pill warn">${tx("超过目标", "exceeds target")}</span>` : ""}</td></tr>`; }).join("")
          || `<tr><td colspan="7" class="muted">${tx("还没有样品：xietong water ingest …", "No samples yet: xietong water ingest …")}</td></tr>`}
        </tbody></table>`, tx("各断面水质", "class per section"))}<p class="muted">${tx("* 目标类别为假定（未随断面公布）。", "* target class assumed (not published with the section).")}</p></div>`;
  const map = await regionMap($("#map"), { label: tx("地表水断面地图", "Map of river sections") });
  await drawLayer(WATER_LAYER, map, { hour: null, lang: LANG });
  $("#water-legend").innerHTML = legendHtml(WATER_LAYER.legend());
}

registerPage("water", waterPage);
