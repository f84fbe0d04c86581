/* Agreements domain: agreements, progress by area and lead, tasks with their history and indicators. Labels in
   the chosen language (tx); task texts, areas and names stay as the agreement and the importer wrote them. */
"use strict";

const STATUS_COLOURS = { not_started: "#9aa5b1", in_progress: "#0b6bcb", done: "#2f9e44", blocked: "#e03131", dropped: "#5c5f66" };
const STATUS_TEXT = { not_started: ["未启动", "not started"], in_progress: ["推进中", "in progress"], done: ["已完成", "done"], blocked: ["受阻", "blocked"], dropped: ["已取消", "dropped"] };
const statusLabel = (s) => (STATUS_TEXT[s] ? tx(...STATUS_TEXT[s]) : s);
const COMPARATOR_SYMBOLS = { ge: "≥", le: "≤", gt: ">", lt: "<", eq: "=" };

function pct(v) { return v == null ? "—" : `${v.toFixed(1)} %`; }

function bar(progress, { width = 160 } = {}) {
  const p = progress == null ? 0 : Math.max(0, Math.min(100, progress));
  return `<progress class="bar${width < 100 ? " small-bar" : ""}" max="100" value="${p}" aria-label="${esc(pct(progress))}"></progress>`;
}

function statusPill(status) {
  return `<span class="pill status" data-status="${esc(status)}">${swatch(STATUS_COLOURS[status] || "#9aa5b1", { shape: "circle" })} ${esc(statusLabel(status))}</span>`;
}

function indicatorCell(task) {
  return (task.indicators || []).map((b) => {
    const value = b.value == null ? "—" : Number(b.value).toLocaleString("en");
    const mark = b.met == null ? `<span class="muted">${tx("尚无数值", "no value yet")}</span>` : (b.met ? `<b class="met">${tx("达标", "met")}</b>` : `<b class="not-met">${tx("未达标", "not met")}</b>`);
    return `<div class="indicator" title="${esc(b.name)}${b.as_of ? ` — ${tx("数据截至", "data as of")} ${esc(cst(b.as_of))} ${tx("北京时间", "CST")}` : ""}">${esc(b.name)}: ${esc(value)} ${COMPARATOR_SYMBOLS[b.comparator] || ""} ${esc(b.target)} ${esc(b.unit)} ${mark}</div>`;
  }).join("");
}

function rollupRows(groups, cls) {
  return groups.map((g) => `<tr class="${cls}" data-key="${esc(g.key)}"><td><button type="button" class="linkish">${esc(g.label)}</button></td><td>${g.tasks}</td>
    <td class="nowrap">${bar(g.progress_pct)} ${esc(pct(g.progress_pct))}</td><td>${g.done}</td><td>${g.overdue || ""}</td></tr>`).join("");
}

function rollupTable(title, groups, cls) {
  return `<div class="card"><h2>${esc(title)}</h2>${scrollTable(`<table><thead><tr><th>${tx("分组", "group")}</th><th>${tx("任务", "tasks")}</th><th>${tx("进度", "progress")}</th><th>${tx("完成", "done")}</th><th>${tx("逾期", "overdue")}</th></tr></thead>
    <tbody>${rollupRows(groups, cls) || `<tr><td colspan="5" class="muted">${tx("没有任务。", "No tasks.")}</td></tr>`}</tbody></table>`, title)}</div>`;
}

function taskTable(tasks, { withAgreement = false } = {}) {
  const areas = [...new Map(tasks.map((t) => [t.area, t.area_label])).entries()];
  const leads = [...new Set(tasks.flatMap((t) => t.lead_names))].sort();
  const options = (values) => values.map((v) => `<option value="${esc(v)}">${esc(v)}</option>`).join("");
  return `<div class="card"><h2>${tx("任务", "Tasks")}</h2>
    <form class="controls" id="task-filter">
      <label>${tx("领域", "area")} <select name="area"><option value="">${tx("全部", "all")}</option>${areas.map(([v, l]) => `<option value="${esc(v)}">${esc(l)}</option>`).join("")}</select></label>
      <label>${tx("状态", "status")} <select name="status"><option value="">${tx("全部", "all")}</option>${Object.keys(STATUS_TEXT).map((s) => `<option value="${s}">${esc(statusLabel(s))}</option>`).join("")}</select></label>
      <label>${tx("牵头方", "lead")} <select name="lead"><option value="">${tx("全部", "all")}</option>${options(leads)}</select></label>
      <span class="muted" id="task-count"></span>
    </form>
    ${scrollTable(`<table id="tasks"><thead><tr>${withAgreement ? `<th>${tx("协议", "agreement")}</th>` : ""}<th>${tx("编号", "no.")}</th><th>${tx("领域", "area")}</th><th>${tx("牵头方", "lead")}</th><th>${tx("状态", "status")}</th><th>${tx("进度", "progress")}</th><th>${tx("期限", "due")}</th><th>${tx("指标", "indicator")}</th><th>${tx("任务", "task")}</th></tr></thead><tbody>
    ${tasks.map((t) => `<tr class="clickable task" data-agreement="${t.agreement_id}" data-task="${esc(t.id)}" data-area="${esc(t.area)}" data-status="${esc(t.status)}" data-lead="${esc(t.lead_names.join("|"))}">
      ${withAgreement ? `<td>${t.agreement_id}</td>` : ""}<td><a href="#/agreements/${t.agreement_id}/${encodeURIComponent(t.id)}">${esc(t.number)}</a></td><td>${esc(t.area_label)}</td>
      <td>${esc(t.lead_names.join(", "))}${t.partner_names.length ? `<div class="muted">${tx("配合", "with")} ${esc(t.partner_names.join(", "))}</div>` : ""}</td>
      <td>${statusPill(t.status)}</td><td class="nowrap">${bar(t.progress_pct, { width: 70 })} ${esc(pct(t.progress_pct))}</td>
      <td>${esc(t.due || "")}${t.overdue ? ` <b class="not-met">${tx("逾期", "overdue")}</b>` : ""}</td>
      <td>${indicatorCell(t)}</td><td>${esc(t.text)}</td></tr>`).join("") || `<tr><td colspan="9" class="muted">${tx("没有任务。", "No tasks.")}</td></tr>`}
    </tbody></table>`, tx("任务", "tasks"))}</div>`;
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
    $("#task-count").textContent = tx(`${shown} 项任务`, `${shown} task(s)`);
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
    $("#main").innerHTML = `<h1>${tx("合作协议", "Cooperation agreements")}</h1><div class="card"><p class="muted">${tx("还没有导入协议：", "No agreement imported yet:")}
      <code>xietong agreements import FILE</code> ${tx("或", "or")} POST /api/v1/agreements.</p></div>`;
    return;
  }
  const [byArea, byLead, details] = await Promise.all([
    api("/agreements/progress?by=area"),
    api("/agreements/progress?by=jurisdiction"),
    Promise.all(list.map((a) => api(`/agreements/${a.id}`))),
  ]);
  const tasks = details.flatMap((d) => d.tasks);
  $("#main").innerHTML = `<h1>${tx("合作协议", "Cooperation agreements")}</h1>
    <div class="card">${scrollTable(`<table id="agreements"><thead><tr><th>${tx("编号", "id")}</th><th>${tx("协议", "agreement")}</th><th>${tx("各方", "parties")}</th><th>${tx("版本", "revision")}</th><th>${tx("任务", "tasks")}</th><th>${tx("进度", "progress")}</th><th>${tx("完成", "done")}</th><th>${tx("逾期", "overdue")}</th></tr></thead><tbody>
    ${list.map((a) => `<tr class="clickable agreement" data-id="${a.id}"><td>${a.id}</td><td><a href="#/agreements/${a.id}">${esc(a.title)}</a></td><td>${esc(a.parties.map((p) => (LANG === "zh" && p.name_zh) || p.name).join(", "))}</td>
      <td>${a.revision}</td><td>${a.progress.tasks}</td><td class="nowrap">${bar(a.progress.progress_pct)} ${esc(pct(a.progress.progress_pct))}</td><td>${a.progress.done}</td><td>${a.progress.overdue || ""}</td></tr>`).join("")}
    </tbody></table>`, tx("协议", "agreements"))}
    <p class="muted">${tx(`全部协议：${esc(pct(byArea.total.progress_pct))}，共 ${byArea.total.tasks} 项任务 — 按任务进度加权平均，已取消的任务不计。`, `All agreements: ${esc(pct(byArea.total.progress_pct))} over ${byArea.total.tasks} tasks — weighted mean of the tasks' progress, dropped tasks left out.`)}</p></div>
    <div class="grid spaced">${rollupTable(tx("按领域的进度", "Progress by area"), byArea.groups, "area")}${rollupTable(tx("按牵头方的进度", "Progress by lead jurisdiction"), byLead.groups, "jurisdiction")}</div>
    <div class="spaced">${taskTable(tasks, { withAgreement: list.length > 1 })}</div>`;
  for (const row of document.querySelectorAll("tr.agreement")) row.addEventListener("click", () => { location.hash = `#/agreements/${row.dataset.id}`; });
  const filterBy = (name, value) => {
    const select = $(`#task-filter select[name=${name}]`);
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    $("#tasks").scrollIntoView();
  };
  for (const row of document.querySelectorAll("tr.area")) { row.classList.add("clickable"); row.addEventListener("click", () => filterBy("area", row.dataset.key)); }
  // the group buttons make the same filters reachable by keyboard (the row click covers the mouse)
  const leadNames = Object.fromEntries(tasks.flatMap((t) => t.lead.map((c, i) => [c, t.lead_names[i]])));
  for (const row of document.querySelectorAll("tr.jurisdiction")) { row.classList.add("clickable"); row.addEventListener("click", () => filterBy("lead", leadNames[row.dataset.key])); }
  wireTaskTable();
}

function sectionTree(node, depth = 0) {
  return (node.children || []).map((c) => `<tr class="section depth-${Math.min(depth, 4)}"><td>${esc(c.label)}</td><td>${c.tasks}</td>
    <td class="nowrap">${bar(c.progress_pct)} ${esc(pct(c.progress_pct))}</td><td>${c.done}</td><td>${c.overdue || ""}</td></tr>${sectionTree(c, depth + 1)}`).join("");
}

async function agreementDetail(id, taskId) {
  const [a, sections] = await Promise.all([
    api(`/agreements/${encodeURIComponent(id)}`),
    api(`/agreements/progress?by=section&agreement=${encodeURIComponent(id)}`),
  ]);
  $("#main").innerHTML = `<h1>${esc(a.title)} <span class="pill">${tx("版本", "revision")} ${a.revision}</span></h1>
    <div class="card"><p>${tx("各方", "Parties")}: ${esc(a.parties.map((p) => (LANG === "zh" && p.name_zh) || p.name).join(", ") || "—")};
      ${tx("日期", "date")}: ${esc(a.date || "—")}; ${tx("来源", "source")}: ${esc(a.source || "—")}; ${tx(`由 ${esc(a.imported_by)} 于 ${esc(cst(a.imported_at))} 导入`, `imported by ${esc(a.imported_by)} at ${esc(cst(a.imported_at))}`)}.</p>
      <p>${bar(a.progress.progress_pct, { width: 240 })} <b>${esc(pct(a.progress.progress_pct))}</b> ${tx(`，共 ${a.progress.tasks} 项任务`, `over ${a.progress.tasks} tasks`)}
      (${Object.entries(a.progress.counts).filter(([, n]) => n).map(([s, n]) => `${n} ${esc(statusLabel(s))}`).join(", ")}).
      <a href="${API}/agreements/tracking?agreement=${a.id}">${tx("跟踪表 CSV", "tracking CSV")}</a></p></div>
    <div id="task-detail"></div>
    <div class="card spaced"><h2>${tx("按章节的进度", "Progress by section")}</h2>${scrollTable(`<table id="sections"><thead><tr><th>${tx("章节", "section")}</th><th>${tx("任务", "tasks")}</th><th>${tx("进度", "progress")}</th><th>${tx("完成", "done")}</th><th>${tx("逾期", "overdue")}</th></tr></thead>
      <tbody>${sectionTree(sections.total)}</tbody></table>`, tx("章节", "sections"))}</div>
    <div class="spaced">${taskTable(a.tasks)}</div>`;
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
  $("#task-detail").innerHTML = `<div class="card spaced" id="task-card"><h2>${tx("任务", "Task")} ${esc(t.number)} <span class="muted">${esc(t.id)}</span> ${statusPill(t.status)}</h2>
    <p>${esc(t.text)}</p>
    <p>${tx("领域", "Area")}: ${esc(t.area_label)}; ${tx("牵头方", "lead")}: ${esc(t.lead_names.join(", ") || "—")}; ${tx("配合方", "partners")}: ${esc(t.partner_names.join(", ") || "—")};
      ${tx("约束力", "strength")}: ${esc(t.strength)}; ${tx("权重", "weight")} ${esc(t.weight)}; ${tx("期限", "due")} ${esc(t.due || "—")}${t.overdue ? ` <b class="not-met">${tx("逾期", "overdue")}</b>` : ""}.</p>
    <p>${bar(t.progress_pct, { width: 240 })} ${esc(pct(t.progress_pct))}${t.note ? ` — ${esc(t.note)}` : ""}</p>
    ${t.milestones.length ? `<h2>${tx("里程碑", "Milestones")}</h2><ul>${t.milestones.map((m) => `<li>${m.done ? "☑" : "☐"} ${esc(m.title)}${m.due ? ` <span class="muted">(${tx("期限", "due")} ${esc(m.due)})</span>` : ""}</li>`).join("")}</ul>` : ""}
    ${evidence ? `<h2>${tx("证据", "Evidence")}</h2><ul>${evidence}</ul>` : ""}
    ${t.indicators.length ? `<h2>${tx("指标", "Indicators")}</h2>${indicatorCell(t)}` : ""}
    <h2>${tx("历史", "History")}</h2>${scrollTable(`<table id="history"><thead><tr><th>${tx("版本", "version")}</th><th>${tx("时间（北京时间）", "time (CST)")}</th><th>${tx("操作者", "who")}</th><th>${tx("操作", "action")}</th><th>${tx("变更", "changed")}</th><th>${tx("状态", "status")}</th><th>${tx("进度", "progress")}</th></tr></thead><tbody>
    ${history.map((h) => `<tr><td>${h.version}</td><td>${esc(cst(h.at))}</td><td>${esc(h.actor)}</td><td>${esc(h.action)}</td><td>${esc(h.changed.join(", "))}</td><td>${statusPill(h.status)}</td><td>${esc(pct(h.progress_pct))}</td></tr>`).join("")}
    </tbody></table>`, tx("历史", "history"))}</div>`;
  $("#task-card").scrollIntoView();
}

registerPage("agreements", agreementsPage);
