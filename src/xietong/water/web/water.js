/* Water domain: sections, latest class, incidents. */
"use strict";
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

registerPage("water", waterPage);
