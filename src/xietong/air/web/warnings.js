/* Air domain: regional heavy-pollution warnings (list and one warning's consultation). */
"use strict";

const WARNING_COLOURS = { none: "#9aa5b1", blue: "#1e6fd9", yellow: "#f2c200", orange: "#FF7E00", red: "#e00000" };

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

registerPage("warnings", warningsPage);
