/* Transport domain: the N-hour circle and planned-line scenarios. */
"use strict";
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

registerPage("transit", transitPage);
