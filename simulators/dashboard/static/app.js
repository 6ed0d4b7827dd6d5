/* Boot and wiring: session choice (kept in the URL), tabs, and the live feed (server-sent events,
   one JSON array per batch). On reconnection the browser sends Last-Event-ID and the server
   replays what was missed from the journal; "reload" and "overflow" make the page reload its
   history instead, which is always correct. */
"use strict";
(function () {
  const SB = window.SB;
  const { api, state } = SB;
  let source = null;
  let lastId = null;

  function liveState(value, text) {
    const node = document.getElementById("live-state");
    node.dataset.state = value;
    node.textContent = text;
  }

  function connect() {
    if (source) source.close();
    const after = lastId ? `&after=${encodeURIComponent(lastId)}` : "";
    source = new EventSource(`/ui/api/stream?session=${encodeURIComponent(state.session)}${after}`);
    source.addEventListener("open", () => { state.connections = (state.connections || 0) + 1; liveState("live", "en direct"); });
    source.addEventListener("error", () => liveState("down", "reconnexion…"));
    source.addEventListener("exchanges", (event) => {
      const rows = JSON.parse(event.data);
      if (event.lastEventId) lastId = event.lastEventId;
      SB.sequence.push(rows);
    });
    source.addEventListener("reload", () => history().then(connect));
    source.addEventListener("overflow", () => history().then(connect));
    source.addEventListener("session", (event) => {
      const data = JSON.parse(event.data);
      if (data.session === state.session && (data.event === "reset" || data.event === "deleted")) {
        history();
        refreshSide();
      }
    });
  }

  /* Reload the newest page; the feed then resumes from the cursor the page gives (duplicates are
     dropped by id), so nothing recorded between the page and the subscription is lost. */
  async function history() {
    const cursor = await SB.sequence.reload();
    if (cursor) lastId = cursor;
  }

  function refreshSide() {
    SB.controls.loadFaults().catch(() => {});
    const tab = document.querySelector('.tabs [aria-selected="true"]');
    if (tab) showTab(tab.dataset.tab, false);
  }

  async function useSession(name) {
    state.session = name;
    const url = new URL(window.location.href);
    url.searchParams.set("session", name);
    window.history.replaceState(null, "", url);
    lastId = null;
    document.getElementById("detail").hidden = true;
    await SB.controls.loadSessions();
    SB.controls.updateBundleLink();
    await history();
    connect();
    refreshSide();
    SB.player.load();
  }

  function showTab(name, focus) {
    const tabs = document.querySelectorAll(".tabs [role=tab]");
    tabs.forEach((tab) => {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      if (on && focus) tab.focus();
    });
    document.getElementById("panel-sequence").hidden = name !== "sequence";
    document.getElementById("panel-scenarios").hidden = name !== "scenarios";
    const view = document.getElementById("panel-view");
    view.hidden = name === "sequence" || name === "scenarios";
    if (!view.hidden) {
      view.setAttribute("aria-labelledby", `tab-${name}`);
      SB.views.show(name);
    } else {
      SB.views.hide();
    }
    if (name === "scenarios") SB.player.load();
  }

  function initTabs() {
    const scenarios = document.getElementById("tab-scenarios");
    for (const view of state.meta.views) {  /* generic views of other services get their own tab */
      if (document.getElementById(`tab-${view.service}`)) continue;
      scenarios.before(SB.el("button", { role: "tab", id: `tab-${view.service}`, "aria-controls": "panel-view",
        "aria-selected": "false", "data-tab": view.service, tabindex: "-1" }, view.title));
    }
    const tabs = [...document.querySelectorAll(".tabs [role=tab]")];
    tabs.forEach((tab, i) => {
      tab.addEventListener("click", () => showTab(tab.dataset.tab, false));
      tab.addEventListener("keydown", (event) => {
        const delta = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
        if (!delta) return;
        showTab(tabs[(i + delta + tabs.length) % tabs.length].dataset.tab, true);
        event.preventDefault();
      });
    });
    const running = new Set(state.meta.running);
    for (const view of state.meta.views) {
      const tab = document.getElementById(`tab-${view.service}`);
      if (tab && !(running.has(view.service) && view.mounted)) {
        tab.classList.add("unavailable");
        tab.title = running.has(view.service) ? "vue non publiée par le service" : "service non démarré";
      }
    }
  }

  async function boot() {
    const params = new URLSearchParams(window.location.search);
    state.session = params.get("session") || "default";
    state.meta = await api("/ui/api/meta");
    SB.sequence.init();
    SB.detail.init();
    SB.views.init();
    SB.controls.init();
    SB.sequence.setLanes(state.meta.lanes);
    initTabs();
    SB.on("session", (name) => { useSession(name); });
    await useSession(state.session);
    document.body.dataset.ready = "true";
  }

  boot().catch((error) => {
    liveState("down", "erreur");
    SB.controls.message(`Le tableau de bord n'a pas pu démarrer : ${error.message}`, true);
  });
})();
