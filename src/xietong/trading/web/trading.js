/* Trading domain: holdings, compliance per year, pending transfers, pilot market prices. */
"use strict";

const TRADING_COLOURS = { beijing: "#0b6bcb", tianjin: "#e8590c", shanghai: "#2f9e44", guangdong: "#ae3ec9", hubei: "#f2c200", shenzhen: "#868e96", chongqing: "#1098ad", fujian: "#c92a2a" };

function tradingPriceChart(rows) {
  // rows: [{market, period: "YYYY-MM", price_cny_t, volume_t}] → one line per market [CNY/t]
  const w = 900, h = 240, pad = { l: 44, r: 10, t: 10, b: 24 };
  const pts = rows.filter((r) => r.price_cny_t != null).map((r) => ({ m: r.market, t: Date.parse(r.period + "-01"), v: r.price_cny_t }));
  if (!pts.length) return '<p class="muted">No quotes stored yet: xietong trading quotes ingest FILE.</p>';
  const t0 = Math.min(...pts.map((p) => p.t)), t1 = Math.max(...pts.map((p) => p.t));
  const vmax = Math.max(...pts.map((p) => p.v)) * 1.05;
  const x = (t) => pad.l + ((t - t0) / Math.max(1, t1 - t0)) * (w - pad.l - pad.r);
  const y = (v) => h - pad.b - (v / vmax) * (h - pad.t - pad.b);
  let svg = `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img" aria-label="monthly volume-weighted price per market">`;
  for (let k = 0; k <= 4; k++) {
    const v = (vmax * k) / 4;
    svg += `<line x1="${pad.l}" x2="${w - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#eef1f4"/><text x="4" y="${y(v) + 4}">${Math.round(v)}</text>`;
  }
  svg += `<text x="${pad.l}" y="${h - 6}">${esc(new Date(t0).toISOString().slice(0, 7))}</text><text x="${w - pad.r - 50}" y="${h - 6}">${esc(new Date(t1).toISOString().slice(0, 7))}</text>`;
  const markets = [...new Set(pts.map((p) => p.m))];
  for (const m of markets) {
    const d = pts.filter((p) => p.m === m).sort((a, b) => a.t - b.t).map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
    svg += `<path d="${d}" fill="none" stroke="${TRADING_COLOURS[m] || "#333"}" stroke-width="1.4"><title>${esc(m)}</title></path>`;
  }
  svg += "</svg>";
  const legend = markets.map((m) => `<span><i style="background:${TRADING_COLOURS[m] || "#333"}"></i>${esc(m)}</span>`).join("");
  return svg + `<div class="legend">${legend}<span class="muted">[CNY/t, volume-weighted monthly mean of the daily average prices]</span></div>`;
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

async function tradingPage() {
  const [holdings, compliance, pending, series] = await Promise.all([
    api("/trading/holdings"), api("/trading/compliance?limit=1000"), api("/trading/transfers/pending"),
    api("/trading/series?freq=month&limit=1000"),
  ]);
  const years = complianceByYear(compliance);
  $("#main").innerHTML = `
    <h1>Emission trading 碳排放权交易</h1>
    <div class="grid">
      <div class="card"><h2>Holdings [units]</h2>
        <table id="trading-holdings"><thead><tr><th>account</th><th>unit type</th><th>held</th><th>reserved</th><th>surrendered</th><th>retired</th><th>cancelled</th></tr></thead><tbody>
        ${holdings.map((h) => `<tr><td>${esc(h.account)}</td><td>${esc(h.unit_type)}</td><td>${esc(h.held)}</td><td>${esc(h.reserved)}</td><td>${esc(h.surrendered)}</td><td>${esc(h.retired)}</td><td>${esc(h.cancelled)}</td></tr>`).join("") || '<tr><td colspan="7" class="muted">No units yet: xietong trading issue …</td></tr>'}
        </tbody></table></div>
      <div class="card"><h2>Compliance per year</h2>
        <table id="trading-compliance"><thead><tr><th>market</th><th>year</th><th>installation-years</th><th>A</th><th>B</th><th>C</th><th>other / none</th><th>owed [t CO2e]</th></tr></thead><tbody>
        ${years.map((g) => `<tr><td>${esc(g.market)}</td><td>${esc(g.year)}${g.provisional ? ' <span class="pill">before deadline</span>' : ""}</td><td>${g.n}</td><td>${g.A}</td><td>${g.B}</td><td>${g.C}</td><td>${g.other}</td><td>${Math.round(g.owed).toLocaleString()}</td></tr>`).join("") || '<tr><td colspan="8" class="muted">No verified emissions or surrenders yet.</td></tr>'}
        </tbody></table><p class="muted">A: surrendered ≥ verified emissions at the deadline; B: less; C: emissions not entered (EUTL codes).</p></div>
      <div class="card"><h2>Transfers waiting (${pending.length})</h2>
        <table id="trading-pending"><thead><tr><th>#</th><th>units</th><th>from → to</th><th>state</th><th>approvals</th></tr></thead><tbody>
        ${pending.map((t) => `<tr><td>${esc(t.id)}</td><td>${esc(t.quantity)} ${esc(t.unit_type)}</td><td>${esc(t.from_account)} → ${esc(t.to_account)}</td><td>${esc(t.state)}</td><td>${esc(t.required_approvals.map((a) => a.market + (t.approvals.some((g) => g.market === a.market) ? " ✓" : "")).join(", "))}</td></tr>`).join("") || '<tr><td colspan="5" class="muted">None.</td></tr>'}
        </tbody></table></div>
      <div class="card" style="grid-column: 1 / -1"><h2>Pilot market prices</h2>${tradingPriceChart(series)}</div>
    </div>`;
}

registerPage("trading", tradingPage);
