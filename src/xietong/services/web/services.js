/* Public-services domain: an office's queue with deadlines (working days on the official calendar), and the
   region's case statistics. The queue needs the token of an office (scope `services`); the statistics are
   public (no personal data). */
"use strict";

const STEP_NAMES = {
  received: ["收件", "received"], completeness_check: ["形式审查", "completeness check"], forwarded: ["转递", "forwarded"],
  accepted: ["受理", "accepted"], decided: ["决定", "decided"], result_returned: ["结果送达", "result returned"],
  completed: ["办结", "completed"],
};
const stepName = (s) => (STEP_NAMES[s] ? tx(STEP_NAMES[s][0], STEP_NAMES[s][1]) : s);

function wdLeft(row) {
  if (row.working_days_left == null) return `<span class="muted">${tx("无时限", "no limit")}</span>`;
  if (row.status === "suspended") return `<span class="pill">${tx("已中止计时", "clock stopped")}</span> ${esc(row.working_days_left)}`;
  const colour = row.overdue ? "#c92a2a" : (row.working_days_left <= 2 ? "#a35200" : "#2b8a3e");
  const label = row.overdue ? tx("已逾期", "overdue") : "";
  return `<b style="color:${colour}">${esc(row.working_days_left)}</b> ${esc(label)}`;
}

function queueCard(rows, error) {
  const title = tx("待办：按到期日排列的未完成环节（剩余工作日按国务院公布的工作日历）", "Queue: open steps, earliest due first (working days left on the official calendar)");
  if (error) {
    const why = error.status === 401 || error.status === 403
      ? tx("在上方输入办件机构的 API 令牌（权限 services）即可查看其待办。", "Enter the API token of an office (scope services) above to see its queue.")
      : esc(error.message);
    return `<div class="card"><h2>${esc(title)}</h2><p class="muted" id="services-queue-note">${why}</p></div>`;
  }
  const head = [tx("办件", "case"), tx("事项", "item"), tx("环节", "step"), tx("机构", "office"), tx("到期日", "due"), tx("剩余工作日", "working days left"), tx("申请人", "applicant")];
  const body = rows.map((r) => `<tr class="${r.overdue ? "overdue" : ""}"><td>${esc(r.case)}</td><td>${esc(r.item)}</td><td>${esc(stepName(r.step))}</td>
      <td>${esc(r.office)}</td><td>${esc(r.due_on || "—")}</td><td>${wdLeft(r)}</td><td>${esc(r.applicant || "")}</td></tr>`).join("")
    || `<tr><td colspan="7" class="muted">${tx("没有未完成的环节。", "No open steps.")}</td></tr>`;
  return `<div class="card"><h2>${esc(title)}</h2>${scrollTable(`<table id="services-queue"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>`, title)}</div>`;
}

function statsTable(id, title, rows, columns) {
  const fmt = (v) => (typeof v === "number" && !Number.isInteger(v) ? v.toFixed(2) : v);
  const body = rows.map((r) => `<tr>${columns.map(([key]) => `<td>${esc(fmt(r[key]))}</td>`).join("")}</tr>`).join("")
    || `<tr><td colspan="${columns.length}" class="muted">${tx("暂无办件。", "No cases yet.")}</td></tr>`;
  return `<div class="card"><h2>${esc(title)}</h2>${scrollTable(`<table id="${id}"><thead><tr>${columns.map(([, label]) => `<th>${esc(label)}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>`, title)}</div>`;
}

async function servicesPage() {
  const stats = await api("/services/stats");
  let queue = [];
  let queueError = token() ? null : { status: 401, message: "" };  // the queue is an office's: ask only with a token
  if (!queueError) {
    try { queue = await api("/services/cases?limit=200"); } catch (err) { if (err instanceof StaleError) throw err; queueError = err; }
  }
  const j = tx("行政区", "jurisdiction");
  $("#main").innerHTML = `
    <h1>${tx("政务服务 — 跨省通办办件", "Public services — cross-province cases (跨省通办)")}</h1>
    <p class="muted">${esc(tx(`${stats.as_of}：${stats.cases} 件办件，${stats.steps} 个环节。时限按国务院公布的工作日历计算；中止期间不计时。`,
      `${stats.cases} cases, ${stats.steps} steps on ${stats.as_of}. Deadlines in working days of the State Council's calendar; suspensions stop the clock.`))}</p>
    <div class="grid">
      ${queueCard(queue, queueError)}
      ${statsTable("services-backlog", tx("各行政区积压", "Backlog per jurisdiction"), stats.backlog, [["jurisdiction", j], ["open", tx("未完成", "open")], ["overdue", tx("逾期", "overdue")]])}
      ${statsTable("services-on-time", tx("环节按时办结率", "On-time rate of steps"), stats.on_time, [["cases", tx("办理方式", "cases")], ["jurisdiction", j], ["steps", tx("环节", "steps")], ["on_time", tx("按时", "on time")], ["on_time_rate", tx("按时率", "rate")]])}
      ${statsTable("services-per-item", tx("各事项办件量", "Cases per item"), stats.cases_per_item, [["item_code", tx("事项", "item")], ["competent_jurisdiction", tx("办理地", "competent")], ["receiving_jurisdiction", tx("收件地", "receiving")], ["cases", tx("办件", "cases")]])}
      ${statsTable("services-median", tx("收件至办结工作日中位数", "Median working days, receipt to closure"), stats.median_working_days, [["item_code", tx("事项", "item")], ["cases", tx("办件", "cases")], ["median_wd", tx("中位数", "median")]])}
    </div>`;
}

registerPage("services", servicesPage);
