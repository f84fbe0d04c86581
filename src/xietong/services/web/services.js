/* Public-services domain: an office's queue with deadlines, and the region's case statistics. */
"use strict";

function wdLeft(row) {
  if (row.working_days_left == null) return '<span class="muted">no limit</span>';
  if (row.status === "suspended") return `<span class="pill">clock stopped</span> ${esc(row.working_days_left)}`;
  const colour = row.overdue ? "#e03131" : (row.working_days_left <= 2 ? "#f08c00" : "#2f9e44");
  return `<b style="color:${colour}">${esc(row.working_days_left)}</b>`;
}

function queueCard(rows, error) {
  if (error) {
    const why = error.status === 401 || error.status === 403
      ? "Enter the API token of an office (scope <code>services</code>) above to see its queue."
      : esc(error.message);
    return `<div class="card"><h2>Queue 待办</h2><p class="muted" id="services-queue-note">${why}</p></div>`;
  }
  return `<div class="card"><h2>Queue 待办 — open steps, earliest due first (working days left on the official calendar)</h2>
    <table id="services-queue"><thead><tr><th>case</th><th>item</th><th>step</th><th>office</th><th>due</th><th>working days left</th><th>applicant</th></tr></thead><tbody>
    ${rows.map((r) => `<tr class="${r.overdue ? "overdue" : ""}"><td>${esc(r.case)}</td><td>${esc(r.item)}</td><td>${esc(r.step)}</td><td>${esc(r.office)}</td>
      <td>${esc(r.due_on || "—")}</td><td>${wdLeft(r)}</td><td>${esc(r.applicant || "")}</td></tr>`).join("") || '<tr><td colspan="7" class="muted">No open steps.</td></tr>'}
    </tbody></table></div>`;
}

function statsTable(id, title, rows, columns) {
  return `<div class="card"><h2>${esc(title)}</h2><table id="${id}"><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>
    ${rows.map((r) => `<tr>${columns.map((c) => `<td>${esc(typeof r[c] === "number" && !Number.isInteger(r[c]) ? r[c].toFixed(2) : r[c])}</td>`).join("")}</tr>`).join("") || `<tr><td colspan="${columns.length}" class="muted">No cases yet.</td></tr>`}
    </tbody></table></div>`;
}

async function servicesPage() {
  const stats = await api("/services/stats");
  let queue = [];
  let queueError = null;
  try { queue = await api("/services/cases?limit=200"); } catch (err) { if (err instanceof StaleError) throw err; queueError = err; }
  $("#main").innerHTML = `
    <h1>Public services 政务服务 — cross-province cases (跨省通办)</h1>
    <p class="muted">${esc(stats.cases)} cases, ${esc(stats.steps)} steps on ${esc(stats.as_of)}. Deadlines in working days of the State Council's calendar; suspensions stop the clock.</p>
    <div class="grid">
      ${queueCard(queue, queueError)}
      ${statsTable("services-backlog", "Backlog per jurisdiction 积压", stats.backlog, ["jurisdiction", "open", "overdue"])}
      ${statsTable("services-on-time", "On-time rate of steps 按时率", stats.on_time, ["cases", "jurisdiction", "steps", "on_time", "on_time_rate"])}
      ${statsTable("services-per-item", "Cases per item 办件量", stats.cases_per_item, ["item_code", "competent_jurisdiction", "receiving_jurisdiction", "cases"])}
      ${statsTable("services-median", "Median working days, receipt to closure", stats.median_working_days, ["item_code", "cases", "median_wd"])}
    </div>`;
}

registerPage("services", servicesPage);
