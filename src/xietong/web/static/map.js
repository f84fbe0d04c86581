/* The region map (#/map/<hour>): every layer the domains registered (registerLayer, app.js) on one map, a time
   slider over the hours the timed layers have data for, play/pause, a toggle and a legend for every layer, and
   a text alternative of what each layer draws. Platform code: it knows no domain, only the layer contract. */
"use strict";

const MAP_PAGE = { hours: [], index: -1, drawn: {}, map: null, timer: null, ticket: 0 };
const LAYER_PREFS = "xietong-map-layers";

function layerOn(spec) {
  const prefs = JSON.parse(localStorage.getItem(LAYER_PREFS) || "{}");
  return prefs[spec.id] ?? spec.defaultOn ?? true;
}
function setLayerOn(id, on) {
  const prefs = JSON.parse(localStorage.getItem(LAYER_PREFS) || "{}");
  prefs[id] = on;
  localStorage.setItem(LAYER_PREFS, JSON.stringify(prefs));
}

/* runs [[firstIso, lastIso], …] of consecutive hour labels → sorted hour labels [ms] */
function expandRuns(runs) {
  const out = new Set();
  for (const [a, b] of runs) for (let t = Date.parse(a), end = Date.parse(b); t <= end; t += 3600e3) out.add(t);
  return [...out].sort((x, y) => x - y);
}

function mapState() {
  const hour = MAP_PAGE.index >= 0 ? MAP_PAGE.hours[MAP_PAGE.index] : null;
  return { hour: hour == null ? null : cstIso(hour), lang: LANG };
}

function hourText(state) { return state.hour ? `${cst(state.hour)} ${tx("北京时间", "CST")}` : tx("最新", "latest"); }

/* draw a layer in place of its previous drawing; a drawing for an hour the slider has already left is dropped */
async function drawOne(spec, state, ticket) {
  const found = await drawLayer(spec, MAP_PAGE.map, state);
  if (ticket !== undefined && ticket !== MAP_PAGE.ticket) {
    if (found.layer) found.layer.remove();
    return;
  }
  undraw(spec.id);
  MAP_PAGE.drawn[spec.id] = found;
}

function undraw(id) {
  const old = MAP_PAGE.drawn[id];
  if (old && old.layer) old.layer.remove();
  delete MAP_PAGE.drawn[id];
}

function renderSide(state) {
  const on = LAYERS.filter((l) => MAP_PAGE.drawn[l.id]);
  $("#legends").innerHTML = on.map((l) => `<section class="legend-block" aria-label="${esc(tx("图例：", "Legend: ") + l.title[LANG])}">
      <h3>${esc(l.title[LANG])}</h3>${legendHtml(l.legend(state))}</section>`).join("")
    || `<p class="muted">${tx("没有打开的图层。", "No layer is shown.")}</p>`;
  $("#layer-texts").innerHTML = on.filter((l) => MAP_PAGE.drawn[l.id].text).map((l) => `<details class="card layer-text" data-layer="${esc(l.id)}">
      <summary>${esc(l.title[LANG])} — ${tx("表格", "as a table")}</summary>${MAP_PAGE.drawn[l.id].text}</details>`).join("");
}

/* draw the timed layers for the slider's hour; a newer move wins over a slower older one */
async function showHour() {
  const ticket = ++MAP_PAGE.ticket;
  const state = mapState();
  const slider = $("#hour-slider");
  if (slider) {
    slider.value = String(MAP_PAGE.index);
    slider.setAttribute("aria-valuetext", hourText(state));
    $("#hour-label").textContent = hourText(state);
    if (state.hour) history.replaceState(null, "", `#/map/${encodeURIComponent(state.hour)}`);
  }
  for (const spec of LAYERS.filter((l) => l.timed && layerOn(l))) {
    if (ticket !== MAP_PAGE.ticket) return;
    await drawOne(spec, state, ticket);
  }
  if (ticket === MAP_PAGE.ticket) drawn(state);
}

/* every layer is drawn for this state: the side panel follows, and #map says which hour it shows */
function drawn(state) {
  renderSide(state);
  $("#map").dataset.drawnHour = state.hour || "latest";
}

function stopPlaying() {
  clearTimeout(MAP_PAGE.timer);
  MAP_PAGE.timer = null;
  const b = $("#play");
  if (b) { b.setAttribute("aria-pressed", "false"); b.textContent = tx("▶ 播放", "▶ Play"); }
}

async function playStep() {
  if (!MAP_PAGE.timer) return;
  MAP_PAGE.index = (MAP_PAGE.index + 1) % MAP_PAGE.hours.length;
  try { await showHour(); } catch (err) { stopPlaying(); showError(err); return; }
  if (MAP_PAGE.timer) MAP_PAGE.timer = setTimeout(playStep, 1000);
}

function step(by) {
  stopPlaying();
  MAP_PAGE.index = Math.max(0, Math.min(MAP_PAGE.hours.length - 1, MAP_PAGE.index + by));
  showHour().catch(showError);
}

function timeControls() {
  if (!MAP_PAGE.hours.length) return `<p class="muted">${tx("没有按小时的数据：显示最新情况。", "No hourly data: the latest state is shown.")}</p>`;
  const n = MAP_PAGE.hours.length;
  return `<div class="controls time-controls" role="group" aria-label="${esc(tx("时间", "Time"))}">
      <button id="play" type="button" aria-pressed="false">${tx("▶ 播放", "▶ Play")}</button>
      <button id="step-back" type="button" aria-label="${esc(tx("前一小时", "Previous hour"))}">◀</button>
      <label for="hour-slider">${tx("时间", "Hour")}</label>
      <input id="hour-slider" type="range" min="0" max="${n - 1}" step="1" value="${MAP_PAGE.index}">
      <button id="step-forward" type="button" aria-label="${esc(tx("后一小时", "Next hour"))}">▶</button>
      <output id="hour-label" for="hour-slider"></output>
      <span class="muted small">${esc(tx(`共 ${n} 个小时：${cst(cstIso(MAP_PAGE.hours[0]))} – ${cst(cstIso(MAP_PAGE.hours[n - 1]))}`,
        `${n} hours: ${cst(cstIso(MAP_PAGE.hours[0]))} – ${cst(cstIso(MAP_PAGE.hours[n - 1]))}`))}</span>
    </div>`;
}

function wireControls() {
  const slider = $("#hour-slider");
  if (slider) {
    let pending = null;
    slider.addEventListener("input", () => {
      stopPlaying();
      MAP_PAGE.index = Number(slider.value);
      clearTimeout(pending);
      pending = setTimeout(() => showHour().catch(showError), 120);
    });
    $("#play").addEventListener("click", () => {
      if (MAP_PAGE.timer) { stopPlaying(); return; }
      const b = $("#play");
      b.setAttribute("aria-pressed", "true");
      b.textContent = tx("⏸ 暂停", "⏸ Pause");
      MAP_PAGE.timer = setTimeout(playStep, 0);
    });
    $("#step-back").addEventListener("click", () => step(-1));
    $("#step-forward").addEventListener("click", () => step(1));
  }
  for (const box of document.querySelectorAll("#layer-toggles input")) {
    box.addEventListener("change", async () => {
      const spec = LAYERS.find((l) => l.id === box.dataset.layer);
      setLayerOn(spec.id, box.checked);
      try {
        if (box.checked) await drawOne(spec, mapState()); else undraw(spec.id);
        renderSide(mapState());
      } catch (err) { showError(err); }
    });
  }
}

async function mapPage(arg) {
  stopPlaying();
  MAP_PAGE.drawn = {};
  const runs = [];
  for (const spec of LAYERS.filter((l) => l.timed && l.hours)) runs.push(...(await spec.hours()));
  MAP_PAGE.hours = expandRuns(runs);
  const wanted = arg ? Date.parse(arg) : NaN;
  MAP_PAGE.index = MAP_PAGE.hours.length - 1;
  if (!Number.isNaN(wanted) && MAP_PAGE.hours.length) {
    const at = MAP_PAGE.hours.findIndex((t) => t >= wanted);
    MAP_PAGE.index = at < 0 ? MAP_PAGE.hours.length - 1 : at;
  }
  $("#main").innerHTML = `<h1>${tx("区域一张图", "Region map")}</h1>
    ${timeControls()}
    <div class="map-layout">
      <div id="map" class="map map-tall"></div>
      <aside class="card map-side" aria-label="${esc(tx("图层与图例", "Layers and legends"))}">
        <fieldset id="layer-toggles"><legend>${tx("图层", "Layers")}</legend>
          ${LAYERS.map((l) => `<label class="toggle"><input type="checkbox" data-layer="${esc(l.id)}"${layerOn(l) ? " checked" : ""}> ${esc(l.title[LANG])}</label>`).join("")}
        </fieldset>
        <h2>${tx("图例", "Legend")}</h2><div id="legends"></div>
      </aside>
    </div>
    <div id="layer-texts"></div>`;
  MAP_PAGE.map = await regionMap($("#map"), { label: tx("区域一张图", "Region map") });
  const state = mapState();
  if ($("#hour-label")) { $("#hour-label").textContent = hourText(state); $("#hour-slider").setAttribute("aria-valuetext", hourText(state)); }
  for (const spec of LAYERS.filter(layerOn)) await drawOne(spec, state);
  drawn(state);
  wireControls();
}

registerPage("map", mapPage);
