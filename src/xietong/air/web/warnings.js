/* Air domain: regional heavy-pollution warnings (list and one warning's consultation), and the map layer of the
   cities coloured by the warning level in force at the map's hour, each labelled with the level's name. */
"use strict";

/* the four-colour scheme of the warning levels (MEP 2014, [C:S26] in STANDARDS.md); "none" has no colour */
const WARNING_COLOURS = { none: "#ffffff", blue: "#1e6fd9", yellow: "#f2c200", orange: "#FF7E00", red: "#e00000" };
const WARNING_NAMES = {
  none: ["无预警", "no warning"], blue: ["蓝色预警", "blue warning"], yellow: ["黄色预警", "yellow warning"],
  orange: ["橙色预警", "orange warning"], red: ["红色预警", "red warning"],
};
const WARNING_STATUS = {
  proposed: ["会商中", "under consultation"], issued: ["已发布", "issued"], closed: ["已结束", "closed"],
  pending: ["待答复", "pending"], declined: ["不同意", "declined"], not_issued: ["未发布", "not issued"], lifted: ["已解除", "lifted"],
  accept: ["同意", "accept"], counter: ["另提级别", "counter-proposal"], decline: ["不同意", "decline"], no_answer: ["未答复", "no answer"],
};
const EVENT_KINDS = {
  proposed: ["提出", "proposed"], answered: ["答复", "answered"], issued: ["发布", "issued"], upgraded: ["升级", "upgraded"],
  downgraded: ["降级", "downgraded"], lifted: ["解除", "lifted"], closed: ["结束", "closed"],
};
const said = (table, key) => (table[key] ? tx(table[key][0], table[key][1]) : key || "");
function warningBadge(level) {
  return level ? `<span class="level">${swatch(WARNING_COLOURS[level] || "#ffffff")}${esc(said(WARNING_NAMES, level))}</span>` : "";
}

registerLayer({
  id: "warning-cities", order: 8, timed: true, overview: true,  // under the stations (order 10)
  title: { zh: "重污染天气预警（城市）", en: "Heavy-pollution warnings (cities)" },
  legend: () => [
    ...["red", "orange", "yellow", "blue", "none"].map((lv) => ({ colour: WARNING_COLOURS[lv], stroke: "#5c6670", label: said(WARNING_NAMES, lv) })),
    { colour: "#ffffff", stroke: "#5c6670", dashed: true, label: tx("虚线：提议会商中", "dashed: a proposal under consultation") },
    { colour: null, label: tx("城市画在其代表点上（无边界数据）", "cities at their representative point (no boundary data)") },
  ],
  add: async (map, state) => {
    const q = state.hour ? `?datetime=${encodeURIComponent(state.hour)}` : "";
    const page = await api(`/features/collections/air-warning-cities/items${q}`);
    const layer = L.geoJSON(page, {
      pointToLayer: (f, latlng) => {
        const p = f.properties;
        const marker = L.circleMarker(latlng, {
          radius: 13, color: "#5c6670", weight: p.proposed_level ? 2.5 : 1.5, dashArray: p.proposed_level ? "4 3" : null,
          fillColor: WARNING_COLOURS[p.level], fillOpacity: p.level === "none" ? 0 : 0.75, className: `warning-marker warning-${p.code}`,
        });
        const text = `${placeName(p).replace(/市$/, "")} ${said(WARNING_NAMES, p.level)}${p.proposed_level ? ` · ${tx("会商", "proposed")}: ${said(WARNING_NAMES, p.proposed_level)}` : ""}`;
        // the level's name is written next to a city whose level is not "none" (not colour alone)
        marker.bindTooltip(text, p.level !== "none" || p.proposed_level ? { permanent: true, direction: "right", className: "map-label", offset: [12, 0] } : {});
        return marker;
      },
    });
    const rows = page.features.map((f) => f.properties);
    const text = scrollTable(`<table class="warning-table"><thead><tr><th>${tx("城市", "city")}</th><th>${tx("生效级别", "level in force")}</th><th>${tx("预警编号", "warning")}</th><th>${tx("会商中的提议", "proposal under consultation")}</th></tr></thead><tbody>
      ${rows.map((p) => `<tr data-city="${esc(p.code)}"><td>${esc(placeName(p))}</td><td>${warningBadge(p.level)}</td><td>${p.warning ? `<a href="#/warnings/${p.warning}">${p.warning}</a>` : "—"}</td>
        <td>${p.proposed_level ? `${warningBadge(p.proposed_level)} (<a href="#/warnings/${p.proposed_warning}">${p.proposed_warning}</a>)` : "—"}</td></tr>`).join("")}
      </tbody></table>`, tx("各城市预警", "warnings per city"));
    return { layer, text };
  },
});

async function warningsPage(id) {
  if (id) return warningDetail(id);
  const list = await api("/warnings");
  $("#main").innerHTML = `<h1>${tx("区域重污染天气预警", "Regional heavy-pollution warnings")}</h1>
    <div class="card">${scrollTable(`<table id="warnings"><thead><tr><th>${tx("编号", "id")}</th><th>${tx("状态", "status")}</th><th>${tx("级别", "level")}</th><th>${tx("规则", "rules")}</th><th>${tx("时段（北京时间）", "period (CST)")}</th><th>${tx("城市", "cities")}</th></tr></thead><tbody>
    ${list.map((w) => `<tr class="clickable" data-id="${w.id}"><td><a href="#/warnings/${w.id}">${w.id}</a></td><td>${esc(said(WARNING_STATUS, w.status))}</td>
      <td>${warningBadge(w.level)}</td><td>${esc(w.rules)}</td>
      <td>${esc(cst(w.start))} → ${esc(cst(w.end))}</td>
      <td>${w.cities.map((c) => `${esc(cityName(c.city))}: ${esc(said(WARNING_STATUS, c.status === "pending" ? c.answer : c.status))}${c.status === "pending" && c.answer_level ? ` (${esc(said(WARNING_NAMES, c.answer_level))})` : ""}`).join(", ")}</td></tr>`).join("")
      || `<tr><td colspan="6" class="muted">${tx("没有预警。", "No warnings.")}</td></tr>`}
    </tbody></table>`, tx("预警列表", "warnings"))}</div>`;
  for (const row of document.querySelectorAll("tr[data-id]")) row.addEventListener("click", () => { location.hash = `#/warnings/${row.dataset.id}`; });
}

async function warningDetail(id) {
  const w = await api(`/warnings/${encodeURIComponent(id)}`);
  $("#main").innerHTML = `<h1>${tx("预警", "Warning")} ${w.id} <span class="pill">${esc(said(WARNING_STATUS, w.status))}</span></h1>
    <div class="card"><p>${warningBadge(w.level)}
      ${tx(`由 ${esc(w.proposer)} 依据 ${esc(w.rules)} 提出，时段 ${esc(cst(w.start))} → ${esc(cst(w.end))}；答复截止 ${esc(cst(w.deadline))}（北京时间）。`,
        `proposed by ${esc(w.proposer)} under ${esc(w.rules)} for ${esc(cst(w.start))} → ${esc(cst(w.end))}; answers until ${esc(cst(w.deadline))} (CST).`)}</p><p>${esc(w.reason)}</p>
    <h2>${tx("城市", "Cities")}</h2>${scrollTable(`<table id="warning-cities"><thead><tr><th>${tx("城市", "city")}</th><th>${tx("答复", "answer")}</th><th>${tx("答复级别", "answer level")}</th><th>${tx("理由", "reason")}</th><th>${tx("状态", "status")}</th><th>${tx("级别", "level")}</th></tr></thead><tbody>
    ${w.cities.map((c) => `<tr><td>${esc(cityName(c.city))} (${esc(c.city)})</td><td>${esc(said(WARNING_STATUS, c.answer))}</td><td>${warningBadge(c.answer_level)}</td><td>${esc(c.answer_reason)}</td><td>${esc(said(WARNING_STATUS, c.status))}</td><td>${warningBadge(c.level)}</td></tr>`).join("")}
    </tbody></table>`, tx("城市", "cities"))}
    <h2>${tx("过程", "History")}</h2>${scrollTable(`<table id="warning-events"><thead><tr><th>${tx("时间（北京时间）", "time (CST)")}</th><th>${tx("操作者", "actor")}</th><th>${tx("事件", "event")}</th><th>${tx("城市", "city")}</th><th>${tx("级别", "level")}</th><th>${tx("理由", "reason")}</th></tr></thead><tbody>
    ${w.events.map((e) => `<tr><td>${esc(cst(e.at))}</td><td>${esc(e.actor)}</td><td>${esc(said(EVENT_KINDS, e.kind))}</td><td>${esc(e.city ? cityName(e.city) : "")}</td><td>${warningBadge(e.level)}</td><td>${esc(e.reason)}</td></tr>`).join("")}
    </tbody></table>`, tx("过程", "history"))}</div>`;
}

registerPage("warnings", warningsPage);
