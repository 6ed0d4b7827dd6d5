/* Scenario player: the journeys (Fanny, Elliot, Elise...) played step by step with the reference
   DUI, each step's narration read aloud by the trainer while its arrows appear in the sequence.
   The journeys themselves come from the /_bench/scenarios provider (README: "Lecteur de
   scénarios"); without it the tab says the player is unavailable. */
"use strict";
window.SB.player = (function () {
  const { el, api, state } = window.SB;
  let journeys = [];
  let selected = null;
  let busy = false;

  const base = () => (state.meta && state.meta.scenarios && state.meta.scenarios.path) || "/_bench/scenarios";
  const available = () => Boolean(state.meta && state.meta.scenarios && state.meta.scenarios.available);

  async function load() {
    const body = document.getElementById("scenario-body");
    if (!available()) {
      journeys = [];
      body.replaceChildren(el("div", { class: "unavailable-box", role: "status" },
        "Lecteur de scénarios indisponible : aucun fournisseur de parcours n'est branché sur ce banc."));
      strip();
      return;
    }
    try {
      journeys = (await api(`${base()}?session=${encodeURIComponent(state.session)}`)).journeys || [];
    } catch (error) {
      body.replaceChildren(el("div", { class: "unavailable-box" }, `Lecteur de scénarios indisponible : ${error.message}`));
      return;
    }
    render();
  }

  function journey() { return journeys.find((j) => j.id === selected) || null; }

  function render() {
    const body = document.getElementById("scenario-body");
    const current = journey();
    body.replaceChildren(
      el("div", { class: "journeys", role: "group", "aria-label": "Parcours" }, bySector().map(([label, list]) =>
        el("div", { class: "sector", role: "group", "aria-label": label }, el("span", { class: "sector-label" }, label),
          list.map((j) => el("button", {
            type: "button", "data-journey": j.id, "aria-pressed": j.id === selected ? "true" : "false",
            title: j.title || j.id, onclick: () => choose(j.id) }, short(j)))))),
      current ? stepsView(current) : el("p", { class: "note" }, "Choisissez un parcours pour le jouer pas à pas."));
    strip();
    const here = body.querySelector(".steps li.current") || body.querySelector(".steps li.failed:last-child");
    if (here) here.scrollIntoView({ block: "nearest" });
  }

  /* The journeys grouped by sector (child protection, older people, disability), in the served order. */
  function bySector() {
    const groups = [];
    for (const j of journeys) {
      const label = j.sector_label || "Autres parcours";
      let group = groups.find((g) => g[0] === label);
      if (!group) groups.push(group = [label, []]);
      group[1].push(j);
    }
    return groups;
  }

  /* "Élise, 15 ans — danger imminent..." -> "Élise, 15 ans"; the full title is the tooltip. */
  function short(j) { return (j.title || j.id).split(" — ")[0]; }

  function stepsView(j) {
    return el("div", {},
      actions(j),
      el("ol", { class: "steps" }, (j.steps || []).map((s) => el("li", {
        class: `${s.status || ""}${s.n === j.next ? " current" : ""}`, "aria-current": s.n === j.next ? "step" : null },
      el("strong", {}, `${s.n}. ${s.title}`), s.services && s.services.length ? el("span", { class: "note" }, ` — ${s.services.join(", ")}`) : null,
      el("p", { class: "narration" }, s.narration || ""),
      s.message ? el("p", { class: s.status === "failed" ? "message error" : "note" }, s.message) : null))));
  }

  function actions(j) {
    const done = j.finished || !j.next;
    return el("div", { class: "player-actions" },
      el("button", { type: "button", class: "step-next", disabled: busy || done, onclick: step },
        done ? "Parcours terminé" : `Étape suivante (${j.next}/${(j.steps || []).length})`),
      el("button", { type: "button", class: "secondary", onclick: restart, disabled: busy }, "Recommencer"));
  }

  function strip() {
    const node = document.getElementById("player-strip");
    const j = journey();
    if (!j) { node.hidden = true; return; }
    const next = (j.steps || []).find((s) => s.n === j.next);
    const last = [...(j.steps || [])].reverse().find((s) => s.status === "done" || s.status === "failed");
    node.hidden = false;
    node.replaceChildren(el("div", { class: "text" },
      el("strong", {}, `${j.title || j.id} — `, next ? `prochaine étape ${next.n} : ${next.title}` : "parcours terminé"),
      el("p", { class: "narration" }, next ? next.narration || "" : ""),
      last && last.message ? el("p", { class: last.status === "failed" ? "message error" : "note" },
        `Étape ${last.n} : ${last.message}`) : null),
    actions(j));
  }

  function choose(id) { selected = id; render(); }

  function replace(updated) {
    if (!updated) return;
    journeys = journeys.map((j) => (j.id === updated.id ? updated : j));
  }

  async function step() {
    const j = journey();
    if (!j || busy) return;
    busy = true; render();
    try {
      const result = await api(`${base()}/${encodeURIComponent(j.id)}/step`, { method: "POST", json: { session: state.session } });
      replace(result.journey);
    } catch (error) {
      window.SB.controls.message(`Étape impossible : ${error.message}`, true);
    } finally {
      busy = false; render();
    }
  }

  async function restart() {
    const j = journey();
    if (!j) return;
    try {
      const result = await api(`${base()}/${encodeURIComponent(j.id)}/reset`, { method: "POST", json: { session: state.session } });
      replace(result.journey);
    } catch (error) {
      window.SB.controls.message(`Impossible de recommencer : ${error.message}`, true);
    }
    render();
  }

  return { load, choose };
})();
