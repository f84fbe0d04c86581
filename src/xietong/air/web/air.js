/* Air domain: stations on the overview map, the air page (stations with data, a station's series). */
"use strict";

const POLLUTANT_COLOURS = { pm25: "#7E0023", pm10: "#FF7E00", no2: "#0b6bcb", o3: "#2f9e44", so2: "#8f5bd6", co: "#555" };

registerLayer(async (map) => {
  const stations = await api("/air/stations?format=geojson");
  L.geoJSON(stations, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 3, color: f.properties.background ? "#2f9e44" : "#1d2733", weight: 1, fillOpacity: 0.8, className: "station-marker" }),
    onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.code} ${f.properties.name_zh}`),
  }).addTo(map);
});

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

registerPage("air", airPage);
