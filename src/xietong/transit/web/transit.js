/* Transport domain: the rail-station and N-hour-circle layers of the region map, and the transport page (the
   circle and planned-line scenarios). */
"use strict";
const CIRCLE_CENTRES = ["石家庄", "北京", "天津", "保定", "唐山", "邯郸", "邢台", "沧州", "廊坊", "衡水", "秦皇岛", "张家口", "承德"];
const CIRCLE_COLOURS = { within: "#2f9e44", outside: "#e03131", unknown: "#9aa5b1", centre: "#0b62b8" };
const mins = (v) => (v == null ? "—" : `${Math.round(v)}`);
const circleKind = (p) => (p.role === "centre" ? "centre" : p.within ? "within" : p.rail_min == null && p.road_min == null ? "unknown" : "outside");

function targetText(p) {
  return `${cityName(p.city_code)}: ${tx("铁路", "rail")} ${mins(p.rail_min)} ${tx("分钟", "min")}, ${tx("公路（模型）", "road (modelled)")} ${mins(p.road_min)} ${tx("分钟", "min")}`
    + ` — ${p.within ? tx("圈内", "within") : tx("圈外", "outside")}${p.note ? ` (${p.note})` : ""}`;
}

registerLayer({
  id: "rail-stations", order: 40, timed: false, overview: false, defaultOn: false,
  title: { zh: "铁路车站（区域时刻表）", en: "Rail stations (regional feed)" },
  legend: () => [
    { colour: "#1d2733", shape: "circle", label: tx("车站（自有坐标）", "station (its own coordinates)") },
    { colour: "#ffffff", stroke: "#1d2733", shape: "circle", label: tx("空心：无自有坐标，画在所在城市代表点", "hollow: no coordinates of its own, drawn at its city's point") },
  ],
  add: async () => {
    const page = await api("/features/collections/rail-stations/items?limit=10000");
    const layer = L.geoJSON(page, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 3, color: "#1d2733", weight: 1, fillColor: f.properties.approximate ? "#ffffff" : "#1d2733", fillOpacity: 1, className: "rail-marker",
      }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindTooltip(`${p.name} (${p.stop_id}) · ${tx(p.city_zh, p.city_en) || ""} · ${p.trains} ${tx("趟列车", "trains")}${p.approximate ? ` · ${tx("位置近似", "approximate")}` : ""}`);
      },
    });
    const text = `<p class="muted small">${tx(`区域时刻表中的 ${page.numberMatched} 个车站。`, `${page.numberMatched} stations of the regional feed.`)}</p>`;
    return { layer, text };
  },
});

registerLayer({
  id: "transit-circle", order: 41, timed: false, overview: false, defaultOn: false,
  title: { zh: "1.5 小时交通圈（石家庄）", en: "1.5-hour circle (Shijiazhuang)" },
  legend: () => [
    { colour: CIRCLE_COLOURS.centre, shape: "circle", label: tx("中心城市", "centre") },
    { colour: CIRCLE_COLOURS.within, shape: "circle", label: tx("90 分钟内可达", "reached within 90 min") },
    { colour: CIRCLE_COLOURS.outside, shape: "circle", label: tx("90 分钟内不可达", "not within 90 min") },
    { colour: CIRCLE_COLOURS.unknown, shape: "circle", label: tx("无铁路与公路数据", "no rail or road data") },
    { colour: null, label: tx("公路时间为模型值（malin84，设计车速），非实测", "road times are modelled (malin84, design speeds), not measured") },
  ],
  add: async () => {
    const page = await api("/features/collections/transit-circle/items?limit=1000");
    const layer = L.geoJSON(page, {
      style: (f) => ({ color: CIRCLE_COLOURS[circleKind(f.properties)], weight: 1.5, opacity: 0.6, dashArray: f.properties.rail_within ? null : "4 4" }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: f.properties.role === "centre" ? 9 : 6, color: "#1d2733", weight: 1,
        fillColor: CIRCLE_COLOURS[circleKind(f.properties)], fillOpacity: 0.9, className: "circle-marker",
      }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        if (p.role === "centre") l.bindTooltip(`${cityName(p.city_code)} (${tx("中心", "centre")})`);
        else if (p.role === "target") l.bindTooltip(targetText(p));
      },
    });
    const targets = page.features.map((f) => f.properties).filter((p) => p.role === "target");
    const text = targets.length ? scrollTable(`<table class="circle-layer-table"><thead><tr><th>${tx("城市", "city")}</th><th>${tx("铁路最快", "rail best")}</th><th>${tx("公路（模型）", "road (modelled)")}</th><th>${tx("90 分钟内", "within 90 min")}</th></tr></thead><tbody>
      ${targets.map((p) => `<tr><td>${esc(cityName(p.city_code))}</td><td>${mins(p.rail_min)}</td><td>${mins(p.road_min)}</td><td>${p.within ? tx("是", "yes") : tx("否", "no")}</td></tr>`).join("")}</tbody></table>`, tx("交通圈", "circle"))
      : `<p class="muted">${tx("服务器上还没有区域铁路时刻表。", "No regional rail feed on this server yet.")}</p>`;
    return { layer, text };
  },
});

async function transitPage(arg) {
  const params = new URLSearchParams(arg || "");
  const centre = params.get("centre") || "石家庄";
  const minutes = Number(params.get("minutes") || 90);
  let feed;
  try { feed = await api("/transit/feed"); } catch (err) {
    if (err.status !== 404) throw err;
    $("#main").innerHTML = `<h1>${tx("交通", "Transport")}</h1><div class="card"><p>${tx("服务器上还没有区域铁路时刻表。", "No regional rail feed on this server yet.")}</p>
      <p class="muted">${tx("用以下命令生成：", "Build it with")} <code>xietong transit build-gtfs SOURCE_DIR…</code></p></div>`;
    return;
  }
  const [circle, scenarios] = await Promise.all([
    api(`/transit/circle?centre=${encodeURIComponent(centre)}&minutes=${minutes}`),
    api("/transit/scenarios"),
  ]);
  $("#main").innerHTML = `
    <h1>${tx(`${esc(cityName(circle.centre))} ${esc(minutes)} 分钟交通圈`, `${esc(minutes)}-minute circle from ${esc(cityName(circle.centre))}`)}</h1>
    <form id="circle-form" class="controls">
      <label>${tx("中心", "centre")} <select id="circle-centre">${CIRCLE_CENTRES.map((c) => `<option value="${c}"${c === circle.centre ? " selected" : ""}>${esc(cityName(c))}</option>`).join("")}</select></label>
      <label>${tx("分钟", "minutes")} <input id="circle-minutes" type="number" min="10" max="600" step="5" value="${esc(minutes)}"></label>
      <button type="submit">${tx("显示", "Show")}</button>
      <span class="muted">${tx(`铁路时刻表：${esc(feed.trips)} 趟列车，服务日 ${esc(feed.service_date || "—")}；出发 ${esc(circle.assumptions.window || "")}`,
        `rail feed: ${esc(feed.trips)} trains, service day ${esc(feed.service_date || "—")}; departures ${esc(circle.assumptions.window || "")}`)}</span>
    </form>
    <div class="grid">
      <div><div id="map" class="map"></div><div id="transit-legend"></div></div>
      <div class="card"><h2>${tx("目标城市", "Targets")}</h2>
        ${scrollTable(`<table id="circle-table"><thead><tr><th>${tx("城市", "city")}</th><th>${tx("铁路最快", "rail best")}</th><th>${tx("典型", "typical")}</th><th>≤ ${esc(minutes)} ${tx("分钟", "min")}</th><th>${tx("公路*", "road*")}</th><th>${tx("圈内", "within")}</th></tr></thead><tbody>
        ${circle.rows.map((r) => `<tr data-city="${esc(r.city)}" title="${esc(r.rail_best_trains || r.note)}"><td>${esc(cityName(r.city))}</td><td>${mins(r.rail_min)}</td><td>${mins(r.rail_typical_min)}</td>
          <td>${esc(r.rail_journeys_within)}/${esc(r.rail_journeys)}</td><td>${mins(r.road_min)}</td>
          <td><span class="pill ${r.within ? "yes" : "no"}">${r.within ? tx("是", "yes") : tx("否", "no")}</span>${r.note ? ` <span class="muted">${esc(r.note)}</span>` : ""}</td></tr>`).join("")}
        </tbody></table>`, tx("目标城市", "targets"))}
        <p class="muted">${tx("分钟，站到站。*公路：", "Minutes, station to station. *Road: ")}${esc(circle.assumptions.road)}${tx(" — 模型值，非实测。", " — modelled, not measured.")}</p>
      </div>
    </div>
    <div class="card"><h2>${tx("规划线路", "Planned lines")}</h2>
      ${scrollTable(`<table id="scenarios"><thead><tr><th>${tx("方案", "scenario")}</th><th>${tx("状态", "status")}</th><th>${tx("车站", "stations")}</th><th></th></tr></thead><tbody>
      ${scenarios.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.status)}</td><td>${esc(s.stations.join(" – "))}</td><td><button type="button" data-scenario="${esc(s.id)}">${tx("前后对比", "before/after")}</button></td></tr>`).join("")
        || `<tr><td colspan="4" class="muted">${tx("服务器上没有规划方案文件。", "No scenario files on this server.")}</td></tr>`}
      </tbody></table>`, tx("规划线路", "planned lines"))}
      <div id="scenario-diff"></div>
    </div>`;
  $("#circle-form").addEventListener("submit", (e) => {
    e.preventDefault();
    location.hash = `#/transit/${encodeURIComponent(`centre=${$("#circle-centre").value}&minutes=${$("#circle-minutes").value}`)}`;
  });
  for (const b of document.querySelectorAll("button[data-scenario]")) b.addEventListener("click", () => scenarioDiff(b.dataset.scenario, circle.centre, minutes).catch(showError));
  const map = await regionMap($("#map"), { label: tx("交通圈地图", "Map of the circle") });
  const geo = await api(`/transit/circle?centre=${encodeURIComponent(centre)}&minutes=${minutes}&format=geojson`);
  const layer = L.geoJSON(geo, {
    style: (f) => ({ color: CIRCLE_COLOURS[circleKind(f.properties)], weight: 2, dashArray: f.properties.rail_within ? null : "4 4" }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: f.properties.role === "centre" ? 9 : 6, color: "#1d2733", weight: 1, fillColor: CIRCLE_COLOURS[circleKind(f.properties)], fillOpacity: 0.85, className: "circle-marker" }),
    onEachFeature: (f, l) => {
      const p = f.properties;
      if (p.role === "centre") l.bindTooltip(`${cityName(p.city)} (${tx("中心", "centre")})`);
      else if (p.role === "target") l.bindTooltip(targetText(p));
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  $("#transit-legend").innerHTML = legendHtml(LAYERS.find((l) => l.id === "transit-circle").legend().map((i) => (i.label.includes("90") ? { ...i, label: i.label.replace("90", String(minutes)) } : i)));
}

async function scenarioDiff(id, centre, minutes) {
  $("#scenario-diff").innerHTML = `<p class="muted">${tx("计算中…", "Computing…")}</p>`;
  const d = await api(`/transit/scenarios/${encodeURIComponent(id)}/diff?centre=${encodeURIComponent(centre)}&minutes=${minutes}`);
  const changed = d.rows.filter((r) => r.changed);
  const yn = (v) => (v ? tx("是", "yes") : tx("否", "no"));
  $("#scenario-diff").innerHTML = `<h2>${esc(d.name)}: ${tx("前 → 后", "before → after")}</h2>
    ${scrollTable(`<table id="diff-table"><thead><tr><th>${tx("城市", "city")}</th><th>${tx("之前", "rail before")}</th><th>${tx("之后", "rail after")}</th><th>${tx("变化", "change")}</th><th>${tx("圈内（前 → 后）", "within before → after")}</th></tr></thead><tbody>
    ${changed.map((r) => `<tr><td>${esc(cityName(r.city))}</td><td>${mins(r.rail_min_before)}</td><td>${mins(r.rail_min_after)}</td><td>${r.rail_change_min == null ? "—" : esc(Math.round(r.rail_change_min))}</td><td>${yn(r.within_before)} → ${yn(r.within_after)}</td></tr>`).join("")
      || `<tr><td colspan="5" class="muted">${tx("目标城市没有变化。", "No target changes.")}</td></tr>`}
    </tbody></table>`, tx("前后对比", "before/after"))}<p class="muted">${tx("新线的运行时间和间隔为假设值（见方案文件）。", "The line's running times and headways are assumptions (see the scenario file).")}</p>`;
}

registerPage("transit", transitPage);
