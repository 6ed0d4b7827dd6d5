/* The live sequence view: one row per exchange, an arrow from the DUI lane to the service lane,
   coloured by the live verdict. Virtualised: only the rows in the viewport exist in the DOM, so
   10,000 or 100,000 exchanges cost the same to draw; new rows are appended once per animation
   frame whatever the feed rate; older pages load when the user scrolls to the top. */
"use strict";
window.SB.sequence = (function () {
  const { el, api, state, time, STATUS_SYMBOL, STATUS_FR, plural } = window.SB;
  const ROW_H = 30;
  const PAGE = 500;
  const MAX_ROWS = 200000;
  let rows = [];
  let known = new Set();
  let nextBefore = null;
  let total = 0;
  let loadingOlder = false;
  let pending = [];
  let frameRequested = false;
  let follow = true;
  let unseen = 0;
  let selectedId = null;
  let lanes = [];
  let laneIndex = {};
  let generation = 0;
  const rate = { stamps: [] };

  const scroller = () => document.getElementById("seq-scroll");
  const spacer = () => document.getElementById("seq-spacer");

  function setLanes(list) {
    lanes = list.slice();
    laneIndex = {};
    lanes.forEach((lane, i) => { laneIndex[lane.service] = i; });
    drawLanes();
  }

  function ensureLane(service) {
    if (service in laneIndex) return;
    laneIndex[service] = lanes.length;
    lanes.push({ service, label: service });
    drawLanes();
  }

  function drawLanes() {
    const running = new Set((state.meta && state.meta.running) || []);
    const head = document.getElementById("lanes-head");
    head.replaceChildren(...lanes.map((lane) => el("div", {
      class: lane.service === "dui" || running.has(lane.service) ? "" : "off",
      title: lane.service === "dui" || running.has(lane.service) ? lane.label : `${lane.label} : service non démarré`,
    }, lane.short || lane.label)));
    head.style.paddingRight = `${scroller().offsetWidth - scroller().clientWidth}px`;
    const lines = document.getElementById("seq-lines");
    const width = scroller().clientWidth - 92;
    lines.replaceChildren(...lanes.map((_, i) => el("div", {
      style: `left:${92 + ((i + 0.5) / lanes.length) * width}px`,
    })));
    render(true);
  }

  async function reload() {
    const my = ++generation;
    rows = []; known = new Set(); pending = []; nextBefore = null; unseen = 0; follow = true;
    selectedId = null;
    layout();
    render(true);
    const page = await api(`/ui/api/exchanges?session=${encodeURIComponent(state.session)}&limit=${PAGE}`);
    if (my !== generation) return null;
    add(page.rows, false);
    nextBefore = page.next_before;
    total = page.total;
    layout();
    scrollToEnd();
    return page.cursor;
  }

  async function loadOlder() {
    if (loadingOlder || !nextBefore) return;
    loadingOlder = true;
    const my = generation;
    try {
      const page = await api(`/ui/api/exchanges?session=${encodeURIComponent(state.session)}` +
        `&limit=${PAGE}&before=${encodeURIComponent(nextBefore)}`);
      if (my !== generation) return;
      const older = page.rows.filter((r) => !known.has(r.id));
      older.forEach((r) => { known.add(r.id); ensureLane(r.service); });
      rows = older.concat(rows);
      nextBefore = page.next_before;
      const box = scroller();
      const keep = box.scrollTop;
      layout();
      box.scrollTop = keep + older.length * ROW_H;
    } finally {
      loadingOlder = false;
    }
  }

  function add(list, live) {
    const oldest = rows.length ? rows[0].id : null;
    for (const row of list) {
      if (known.has(row.id)) continue;
      /* A replay after reconnection rewinds a little: rows older than the loaded history belong to
         the older pages (loaded on scroll), not to the live tail. */
      if (live && nextBefore && oldest && row.id < oldest) continue;
      known.add(row.id);
      ensureLane(row.service);
      rows.push(row);
      if (live) { total += 1; row.arrived = performance.now(); rate.stamps.push(row.arrived); }
    }
    if (rows.length > MAX_ROWS) {
      const cut = rows.length - MAX_ROWS;
      rows.splice(0, cut).forEach((r) => known.delete(r.id));
      nextBefore = rows[0].id;
    }
  }

  /* Live rows: buffered and drawn once per frame, whatever the rate of the feed. */
  function push(list) {
    pending.push(...list);
    if (!frameRequested) {
      frameRequested = true;
      requestAnimationFrame(flush);
    }
  }

  let flushes = 0;
  function flush() {
    frameRequested = false;
    if (!pending.length) return;
    flushes += 1;
    const before = rows.length;
    const services = new Set(pending.map((r) => r.service));
    add(pending, true);
    pending = [];
    const added = rows.length - before;
    if (!follow) unseen += added;
    layout();
    if (follow) scrollToEnd(); else render(true);
    window.SB.emit("rows", { added, services });
  }

  /* For tests and diagnostics: how many redraws the live rows cost. */
  function debugState() { return { follow, unseen, total, flushes, rows: rows.length, pending: pending.length }; }

  function layout() {
    spacer().style.height = `${rows.length * ROW_H}px`;
    document.getElementById("seq-empty").hidden = rows.length > 0;
    updateCounters();
  }

  function updateCounters() {
    document.getElementById("counter").textContent = plural(total, "échange");
    const now = performance.now();
    while (rate.stamps.length && now - rate.stamps[0] > 1000) rate.stamps.shift();
    document.getElementById("rate").textContent = rate.stamps.length ? `${rate.stamps.length}/s` : "";
    const button = document.getElementById("seq-follow");
    button.hidden = follow || unseen === 0;
    button.textContent = unseen > 1 ? `${unseen.toLocaleString("fr-FR")} nouveaux échanges ↓` : "1 nouvel échange ↓";
  }

  function scrollToEnd() {
    const box = scroller();
    box.scrollTop = box.scrollHeight;
    unseen = 0;
    render(true);
  }

  let lastRange = "";
  function render(force) {
    const box = scroller();
    const first = Math.max(0, Math.floor(box.scrollTop / ROW_H) - 5);
    const last = Math.min(rows.length, Math.ceil((box.scrollTop + box.clientHeight) / ROW_H) + 5);
    const key = `${first}:${last}:${rows.length}:${selectedId}`;
    if (!force && key === lastRange) return;
    lastRange = key;
    const nodes = [];
    for (let i = first; i < last; i++) nodes.push(rowNode(rows[i], i));
    const box2 = spacer();
    const active = document.activeElement;
    const focusedId = active && box2.contains(active) ? active.dataset.id : null;
    box2.replaceChildren(...nodes);
    if (focusedId) {  /* keyboard users keep their place while live rows are redrawn */
      const again = box2.querySelector(`[data-id="${CSS.escape(focusedId)}"]`);
      (again || box).focus({ preventScroll: true });
    }
  }

  function rowNode(row, index) {
    const n = lanes.length;
    const target = laneIndex[row.service] ?? n - 1;
    const left = (0.5 / n) * 100;
    const width = (Math.max(target, 0.6) / n) * 100;
    const verdict = row.verdict || "none";
    const status = row.status === 0 ? "sans réponse" : row.status;
    const fault = row.fault ? ` ⚡${row.fault}` : "";
    const text = `${STATUS_SYMBOL[verdict] || "·"} ${row.operation} · ${status}${fault}${row.label ? " · " + row.label : ""}`;
    const laneLabel = (lanes[target] && lanes[target].label) || row.service;
    return el("button", {
      class: `row${row.id === selectedId ? " selected" : ""}`, type: "button",
      style: `top:${index * ROW_H}px`, "data-id": row.id, "data-service": row.service, "data-verdict": verdict,
      "aria-label": `${time(row.t)} ${laneLabel} ${row.operation}, statut ${status}, ${STATUS_FR[verdict]}${row.failed.length ? " : " + row.failed.join(" ; ") : ""}`,
      onclick: () => select(row.id),
    },
    el("span", { class: "time" }, time(row.t)),
    el("span", { class: `track v-${verdict}` },
      el("span", { class: `arrow${grows(row) ? " fresh" : ""}`, style: `left:${left}%;width:${width}%` }),
      el("span", { class: "label", style: `left:${left + 1}%;max-width:${100 - left - 2}%` }, text)));
  }

  /* A live arrow grows once, the first time it is drawn; redraws show it whole. */
  function grows(row) {
    if (!row.arrived || row.drawn) return false;
    row.drawn = true;
    return performance.now() - row.arrived < 1000;
  }

  function selectedIndex() { return rows.findIndex((r) => r.id === selectedId); }

  function select(id) {
    selectedId = id;
    render(true);
    window.SB.emit("select", id);
  }

  function move(delta) {
    if (!rows.length) return;
    let index = selectedIndex();
    index = index < 0 ? rows.length - 1 : Math.min(rows.length - 1, Math.max(0, index + delta));
    selectedId = rows[index].id;
    const box = scroller();
    const top = index * ROW_H;
    if (top < box.scrollTop) box.scrollTop = top;
    else if (top + ROW_H > box.scrollTop + box.clientHeight) box.scrollTop = top + ROW_H - box.clientHeight;
    render(true);
    const node = spacer().querySelector(`[data-id="${CSS.escape(selectedId)}"]`);
    if (node) node.focus();
  }

  function init() {
    const box = scroller();
    box.addEventListener("scroll", () => {
      follow = box.scrollTop + box.clientHeight >= box.scrollHeight - ROW_H * 2;
      if (follow) unseen = 0;
      updateCounters();
      render(false);
      if (box.scrollTop < ROW_H * 10) loadOlder();
    }, { passive: true });
    box.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
      else if (event.key === "End") { follow = true; scrollToEnd(); event.preventDefault(); }
      else if (event.key === "Enter" && selectedId && event.target === box) { select(selectedId); }
    });
    document.getElementById("seq-follow").addEventListener("click", () => { follow = true; scrollToEnd(); updateCounters(); });
    new ResizeObserver(() => drawLanes()).observe(box);
    setInterval(updateCounters, 1000);
  }

  return { debugState, init, setLanes, reload, push, select, get rows() { return rows; }, get total() { return total; },
    set total(value) { total = value; } };
})();
