/* Agreements domain: agreements, progress by area and lead, tasks with their history and indicators. */
"use strict";

const STATUS_COLOURS = { not_started: "#9aa5b1", in_progress: "#0b6bcb", done: "#2f9e44", blocked: "#e03131", dropped: "#5c5f66" };
const STATUS_LABELS = { not_started: "not started 未启动", in_progress: "in progress 推进中", done: "done 已完成", blocked: "blocked 受阻", dropped: "dropped 已取消" };
const COMPARATOR_SYMBOLS = { ge: "≥", le: "≤", gt: ">", lt: "<", eq: "=" };

function pct(v) { return v == null ? "—" : `${v.toFixed(1)} %`; }

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

registerPage("agreements", agreementsPage);
