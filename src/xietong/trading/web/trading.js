/* Trading domain: holdings, compliance per year, transfers waiting for a step, the pilot markets' prices. */
"use strict";

/* one colour per pilot market (a display choice, not a convention) */
const TRADING_COLOURS = { beijing: "#0b6bcb", tianjin: "#e8590c", shanghai: "#2f9e44", guangdong: "#ae3ec9", hubei: "#b08900", shenzhen: "#868e96", chongqing: "#1098ad", fujian: "#c92a2a" };
const TRADING_MARKETS = { beijing: ["北京", "Beijing"], tianjin: ["天津", "Tianjin"], shanghai: ["上海", "Shanghai"], guangdong: ["广东", "Guangdong"], hubei: ["湖北", "Hubei"], shenzhen: ["深圳", "Shenzhen"], chongqing: ["重庆", "Chongqing"], fujian: ["福建", "Fujian"] };
const marketName = (m) => (TRADING_MARKETS[m] ? tx(...TRADING_MARKETS[m]) : m);

function tradingPriceChart(rows) {
  // rows: [{market, period: "YYYY-MM", price_cny_t, volume_t}] → one line per market [CNY/t]
  const w = 900, h = 240, pad = { l: 44, r: 10, t: 10, b: 24 };
  const pts = rows.filter((r) => r.price_cny_t != null).map((r) => ({ m: r.market, t: Date.parse(r.period + "-01"), v: r.price_cny_t }));
  if (!pts.length) return `<p class="muted">${esc(tx("尚未存储行情：xietong trading quotes ingest FILE。", "No quotes stored yet: xietong trading quotes ingest FILE."))}</p>`;
  const t0 = Math.min(...pts.map((p) => p.t)), t1 = Math.max(...pts.map((p) => p.t));
  const vmax = Math.max(...pts.map((p) => p.v)) * 1.05;
  const x = (t) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / vmax) * (h - pad.t - pad.b);
  let svg = `<svg class="chart" id="trading-prices" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(tx("各试点市场月度成交均价（元/吨）", "monthly volume-weighted price per pilot market (CNY/t)"))}">`;
  for (let k = 0; k <= 4; k++) {
    const v = (vmax * k) / 4;
    svg += `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#eef1f4"/><text x="4" y="${y(v) + 4}">${Math.round(v)}</text>`;
  }
  svg += `<text x="${pad.l}" y="${h - 6}">${esc(new Date(t0).toISOString().slice(0, 7))}</text><text x="${w - pad.r}" y="${h - 6}" text-anchor="end">${esc(new Date(t1).toISOString().slice(0, 7))}</text>`;
  const markets = [...new Set(pts.map((p) => p.m))];
  for (const m of markets) {
    const d = pts.filter((p) => p.m === m).sort((a, b) => a.t - b.t).map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
    svg += `<path d="${d}" fill="none" stroke="${TRADING_COLOURS[m] || "#333"}" stroke-width="1.4"><title>${esc(marketName(m))}</title></path>`;
  }
  svg += "</svg>";
  return svg + legendHtml([
    ...markets.map((m) => ({ colour: TRADING_COLOURS[m] || "#333", label: marketName(m), shape: "line" })),
    { label: tx("元/吨：每日成交均价按成交量加权的月度均值", "CNY/t: volume-weighted monthly mean of the daily average prices") },
  ]);
}

function complianceByYear(rows) {
  const groups = {};
  for (const r of rows) {
    const k = `${r.market}|${r.year}`;
    const g = (groups[k] = groups[k] || { market: r.market, year: r.year, n: 0, A: 0, B: 0, C: 0, other: 0, owed: 0, provisional: false });
    g.n += 1;
    const letter = (r.code || "").charAt(0);
    if (letter === "A" || letter === "B" || letter === "C") g[letter] += 1; else g.other += 1;
    g.owed += r.owed_t || 0;
    g.provisional = g.provisional || r.provisional;
  }
  return Object.values(groups).sort((a, b) => (a.market + a.year < b.market + b.year ? -1 : 1));
}

function holdingsTable(holdings) {
  const head = tx("<th>账户</th><th>单位类型</th><th>持有</th><th>待转让冻结</th><th>已清缴</th><th>已注销（自愿）</th><th>已撤销</th>",
    "<th>account</th><th>unit type</th><th>held</th><th>reserved</th><th>surrendered</th><th>retired</th><th>cancelled</th>");
  const rows = holdings.map((h) => `<tr><td>${esc(h.account)}</td><td>${esc(h.unit_type)}</td><td>${esc(h.held)}</td><td>${esc(h.reserved)}</td><td>${esc(h.surrendered)}</td><td>${esc(h.retired)}</td><td>${esc(h.cancelled)}</td></tr>`).join("")
    || `<tr><td colspan="7" class="muted">${esc(tx("尚无单位：xietong trading issue …", "No units yet: xietong trading issue …"))}</td></tr>`;
  return scrollTable(`<table id="trading-holdings"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`, tx("持有量", "Holdings"));
}

function complianceTable(years) {
  const head = tx("<th>市场</th><th>年度</th><th>装置年</th><th>A</th><th>B</th><th>C</th><th>其他/无</th><th>尚欠（吨CO₂e）</th>",
    "<th>market</th><th>year</th><th>installation-years</th><th>A</th><th>B</th><th>C</th><th>other / none</th><th>owed [t CO₂e]</th>");
  const rows = years.map((g) => `<tr><td>${esc(g.market)}</td><td>${esc(g.year)}${g.provisional ? ` <span class="pill">${esc(tx("截止日前", "before deadline"))}</span>` : ""}</td><td>${g.n}</td><td>${g.A}</td><td>${g.B}</td><td>${g.C}</td><td>${g.other}</td><td>${Math.round(g.owed).toLocaleString("en")}</td></tr>`).join("")
    || `<tr><td colspan="8" class="muted">${esc(tx("尚无核证排放或清缴。", "No verified emissions or surrenders yet."))}</td></tr>`;
  return scrollTable(`<table id="trading-compliance"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`, tx("各年履约", "Compliance per year"));
}

function pendingTable(pending) {
  const head = tx("<th>#</th><th>单位</th><th>转出 → 转入</th><th>状态</th><th>审批</th>", "<th>#</th><th>units</th><th>from → to</th><th>state</th><th>approvals</th>");
  const rows = pending.map((t) => `<tr><td>${esc(t.id)}</td><td>${esc(t.quantity)} ${esc(t.unit_type)}</td><td>${esc(t.from_account)} → ${esc(t.to_account)}</td><td>${esc(t.state)}</td><td>${esc(t.required_approvals.map((a) => a.market + (t.approvals.some((g) => g.market === a.market) ? " ✓" : "")).join(", "))}</td></tr>`).join("")
    || `<tr><td colspan="5" class="muted">${esc(tx("无。", "None."))}</td></tr>`;
  return scrollTable(`<table id="trading-pending"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`, tx("待处理转让", "Transfers waiting"));
}

async function tradingPage() {
  const [holdings, compliance, pending, series] = await Promise.all([
    api("/trading/holdings"), api("/trading/compliance?limit=1000"), api("/trading/transfers/pending"),
    api("/trading/series?freq=month&limit=1000"),
  ]);
  $("#main").innerHTML = `
    <h1>${esc(tx("碳排放权交易", "Emission trading"))}</h1>
    <div class="grid">
      <div class="card"><h2>${esc(tx("持有量（单位）", "Holdings [units]"))}</h2>${holdingsTable(holdings)}</div>
      <div class="card"><h2>${esc(tx("各年履约", "Compliance per year"))}</h2>${complianceTable(complianceByYear(compliance))}
        <p class="muted small">${esc(tx("A：截止日清缴量不少于核证排放；B：不足；C：截止日未录入排放（欧盟交易日志代码）。", "A: surrendered ≥ verified emissions at the deadline; B: less; C: emissions not entered by the deadline (EUTL codes)."))}</p></div>
    </div>
    <div class="grid spaced">
      <div class="card"><h2>${esc(tx("试点市场价格", "Pilot market prices"))}</h2>${tradingPriceChart(series)}</div>
      <div class="card"><h2>${esc(tx(`待处理转让（${pending.length}）`, `Transfers waiting (${pending.length})`))}</h2>${pendingTable(pending)}</div>
    </div>`;
}

registerPage("trading", tradingPage);
