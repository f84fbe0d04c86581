/* Air domain: the AQI layer of the region map (stations coloured by the HJ 633 level of the hour, with the
   level's name in the tooltip, the legend and the table), and the air page (stations with data, a station's
   series). Colours and names come from the API (/air/aqi-levels: the standard's data file), never from here. */
"use strict";

const POLLUTANT_COLOURS = { pm25: "#7E0023", pm10: "#FF7E00", no2: "#0b6bcb", o3: "#2f9e44", so2: "#8f5bd6", co: "#555" };
const AQI_NO_DATA = "#b8c1cc";
const AQI_LEVELS = {}; // edition → levels of /air/aqi-levels

async function aqiLevels(hourIso) {
  const day = hourIso ? hourIso.slice(0, 10) : "";
  const key = day || "today";
  if (!AQI_LEVELS[key]) AQI_LEVELS[key] = await api(`/air/aqi-levels${day ? `?on=${day}` : ""}`);
  AQI_LEVELS.current = AQI_LEVELS[key];
  return AQI_LEVELS[key];
}

function levelName(lv) { return lv ? `${lv.roman ?? lv.level_roman} ${tx(lv.category_zh, lv.category_en)}` : tx("无数据", "no data"); }

function aqiTooltip(p) {
  const name = `${p.name_en && LANG === "en" ? p.name_en : p.name_zh} ${p.code}`;
  if (p.aqi == null) return `${name}: ${tx("该小时无 AQI", "no AQI this hour")}`;
  const primary = p.primary ? ` · ${tx("首要污染物", "primary")} ${tx(p.primary_zh, p.primary)}` : "";
  return `${name}: AQI ${p.aqi} — ${levelName(p)}${primary} · ${cst(p.time)}`;
}

// one drawing for the jurisdictions' stations and for the neighbours' (external stations of the key regions)
async function aqiStations(map, state, keep, caption) {
  const q = state.hour ? `&datetime=${encodeURIComponent(state.hour)}` : "";
  const all = await api(`/features/collections/air-stations/items?limit=10000${q}`);
  const page = { ...all, features: all.features.filter((f) => keep(f.properties)) };
  // the legend follows the HJ 633 edition of the hour shown (the latest data may be years old)
  const shown = page.features.map((f) => f.properties.time).filter(Boolean).sort().pop();
  await aqiLevels(state.hour || shown);
  const layer = L.geoJSON(page, {
    pointToLayer: (f, latlng) => {
      const p = f.properties, has = p.aqi != null;
      return L.circleMarker(latlng, {
        // a station without data that hour is a small hollow ring: present, but not in the way of the others
        radius: has ? 8 : 2.5, color: has ? "#1d2733" : "#7a8591", weight: 1, fillColor: has ? p.colour : AQI_NO_DATA,
        fillOpacity: has ? 0.95 : 0, className: `aqi-marker aqi-${p.code}`,
      });
    },
    onEachFeature: (f, l) => l.bindTooltip(aqiTooltip(f.properties)).on("click", () => { location.hash = `#/air/${f.properties.code}`; }),
  });
  const rows = page.features.map((f) => f.properties).filter((p) => p.aqi != null).sort((a, b) => b.aqi - a.aqi);
  const text = rows.length ? scrollTable(`<table class="aqi-table"><thead><tr><th>${tx("站点", "station")}</th><th>${tx("城市", "city")}</th><th>${tx("时间", "hour")}</th><th>AQI</th><th>${tx("级别", "level")}</th><th>${tx("首要污染物", "primary pollutant")}</th></tr></thead><tbody>
    ${rows.map((p) => `<tr data-code="${esc(p.code)}"><td>${esc(p.code)} ${esc(LANG === "en" && p.name_en ? p.name_en : p.name_zh)}</td><td>${esc(tx(p.city_zh, p.city_en))}</td><td>${esc(cst(p.time))}</td><td>${p.aqi}</td>
      <td><span class="level">${swatch(p.colour, { shape: "circle" })}${esc(levelName(p))}</span></td><td>${esc(tx(p.primary_zh, p.primary) || "—")}</td></tr>`).join("")}
    </tbody></table>`, caption)
    : `<p class="muted">${tx("该小时没有站点数据。", "No station has data for this hour.")}</p>`;
  return { layer, text };
}

const AQI_LEGEND = () => [
  ...((AQI_LEVELS.current || { levels: [] }).levels.map((lv) => ({
    colour: lv.hex, shape: "circle", label: `${levelName(lv)} (${lv.aqi_min}–${lv.aqi_max})`,
  }))),
  { colour: "#ffffff", stroke: "#7a8591", shape: "circle", label: tx("空心小圈：该小时无数据", "small hollow ring: no data this hour") },
].concat(AQI_LEVELS.current ? [{ colour: null, label: tx(`颜色与名称：HJ 633-${AQI_LEVELS.current.edition} 附录 A`, `colours and names: HJ 633-${AQI_LEVELS.current.edition} Appendix A`) }] : []);

registerLayer({
  id: "air-aqi", order: 10, timed: true, overview: true,
  title: { zh: "空气质量指数（AQI）", en: "Air quality index (AQI)" },
  hours: async () => (await api("/air/hours")).runs,
  legend: AQI_LEGEND,
  add: (map, state) => aqiStations(map, state, (p) => !p.external, tx("各站 AQI", "AQI per station")),
});

// the neighbours upwind: stations outside the 15 jurisdictions whose city is in a key-region list (2+26, 2+36,
// Fenwei), published by a national feed and read-only here
registerLayer({
  id: "air-aqi-neighbours", order: 11, timed: true, overview: false, defaultOn: false,
  title: { zh: "周边城市站点 AQI（重点区域）", en: "Neighbours' stations, AQI (key regions)" },
  hours: async () => (await api("/air/hours")).runs,
  legend: AQI_LEGEND,
  add: (map, state) => aqiStations(map, state, (p) => p.external && p.key_region, tx("周边城市各站 AQI", "AQI per neighbouring station")),
});

async function airPage(code) {
  const [stations, coverage] = await Promise.all([api("/air/stations"), api("/air/coverage")]);
  const cov = Object.fromEntries(coverage.map((c) => [c.station, c]));
  const withData = stations.filter((s) => cov[s.code]);
  const name = (s) => (LANG === "en" && s.name_en ? s.name_en : s.name_zh);
  $("#main").innerHTML = `
    <h1>${tx("空气质量 — 监测站", "Air quality — stations")}</h1>
    <div class="grid">
      <div><div id="map" class="map"></div><div id="air-legend"></div></div>
      <div class="card"><h2>${tx("有数据的站点", "Stations with data")}</h2>
        ${scrollTable(`<table id="air-stations"><thead><tr><th>${tx("代码", "code")}</th><th>${tx("名称", "name")}</th><th>${tx("小时数", "hours")}</th><th>${tx("最新（北京时间）", "last (CST)")}</th></tr></thead><tbody>
        ${withData.map((s) => `<tr class="clickable" data-code="${esc(s.code)}"><td><a href="#/air/${esc(s.code)}">${esc(s.code)}</a></td><td>${esc(name(s))}${s.background ? ` <span class="pill">${tx("对照点", "background")}</span>` : ""}</td><td>${cov[s.code].hours}</td><td>${esc(cst(cov[s.code].last))}</td></tr>`).join("")
          || `<tr><td colspan="4" class="muted">${tx("还没有观测数据：xietong air ingest …", "No observations yet: xietong air ingest …")}</td></tr>`}
        </tbody></table>`, tx("有数据的站点", "stations with data"))}</div>
    </div>
    <div id="station" class="card"><p class="muted">${tx("在地图或表格中选择一个站点。", "Choose a station on the map or in the table.")}</p></div>`;
  const map = await regionMap($("#map"), { label: tx("空气质量监测站地图", "Map of air-quality stations") });
  const layer = LAYERS.find((l) => l.id === "air-aqi");
  await drawLayer(layer, map, { hour: null, lang: LANG });
  $("#air-legend").innerHTML = legendHtml(layer.legend()) + `<p class="muted small">${tx("每个站点最新一小时的 AQI。", "Each station's latest hourly AQI.")}</p>`;
  for (const row of document.querySelectorAll("tr[data-code]")) row.addEventListener("click", () => { location.hash = `#/air/${row.dataset.code}`; });
  if (code && cov[code]) await stationDetail(code, cov[code]);
}

async function stationDetail(code, cov) {
  const last = Date.parse(cov.last);
  const lastDay = cstDay(last - 3600e3);
  const firstDay = cstDay(last - 7 * 86400e3);
  const box = $("#station");
  box.innerHTML = `<h2>${tx("站点", "Station")} ${esc(code)}</h2>
    <form class="controls" id="range"><label>${tx("从", "from")} <input type="date" name="from" value="${firstDay}"></label>
    <label>${tx("到", "to")} <input type="date" name="to" value="${lastDay}"></label><button>${tx("显示", "Show")}</button>
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
    $("#plot").innerHTML = chart(series) + `<p class="muted">${page.meta.count} ${tx("小时", "hours")}</p>`;
  };
  $("#range").addEventListener("submit", (e) => { e.preventDefault(); draw().catch(showError); });
  await draw();
}

registerPage("air", airPage);
