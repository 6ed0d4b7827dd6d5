/* Session picker (list, create, reset), evidence-bundle link and the one-click fault buttons.
   Everything that changes the bench goes through the admin API under /_bench/; the button states
   (which fault each button posts, whether its service runs, whether it is on) come from
   /ui/api/faults, computed on the server from the catalogues the services advertise. */
"use strict";
window.SB.controls = (function () {
  const { el, api, state } = window.SB;

  function message(text, isError) {
    const node = document.getElementById("fault-message");
    node.textContent = text || "";
    node.className = `message${isError ? " error" : ""}`;
  }

  async function loadSessions() {
    const sessions = await api("/_bench/sessions");
    const select = document.getElementById("session-select");
    if (!sessions.some((s) => s.name === state.session)) sessions.push({ name: state.session, description: "" });
    select.replaceChildren(...sessions.map((s) => el("option", { value: s.name, selected: s.name === state.session },
      s.name)));
    updateBundleLink();
  }

  function updateBundleLink() {
    const link = document.getElementById("bundle-link");
    link.href = `/ui/api/sessions/${encodeURIComponent(state.session)}/bundle.zip`;
    link.setAttribute("download", `preuves-${state.session}.zip`);
  }

  async function createSession(event) {
    event.preventDefault();
    const input = document.getElementById("session-name");
    const name = input.value.trim();
    if (!name) return;
    try {
      await api("/_bench/sessions", { method: "POST", json: { name, description: "créée depuis le tableau de bord" } });
    } catch (error) {
      message(`Création impossible : ${error.message}`, true);
      return;
    }
    input.value = "";
    window.SB.emit("session", name);
  }

  async function resetSession() {
    if (!window.confirm(`Réinitialiser la session « ${state.session} » ? Ses échanges et ses données seront effacés.`)) return;
    try {
      await api(`/_bench/sessions/${encodeURIComponent(state.session)}/reset`, { method: "POST" });
      message(`Session « ${state.session} » réinitialisée.`);
    } catch (error) {
      message(`Réinitialisation impossible : ${error.message}`, true);
    }
    window.SB.emit("session", state.session);
  }

  async function loadFaults() {
    const data = await api(`/ui/api/faults?session=${encodeURIComponent(state.session)}`);
    const box = document.getElementById("fault-buttons");
    box.replaceChildren(...data.presets.map((preset) => el("span", {},
      el("button", { type: "button", "data-preset": preset.id, "aria-pressed": preset.active ? "true" : "false",
        disabled: !preset.available, title: preset.available ? preset.description : preset.reason,
        "aria-describedby": `why-${preset.id}`, onclick: () => toggle(preset) }, preset.label),
      el("span", { class: "visually-hidden", id: `why-${preset.id}` }, preset.available ? preset.description : preset.reason))));
    const off = data.presets.filter((p) => !p.available);
    const why = document.getElementById("fault-why");
    why.textContent = off.length ? `Indisponible : ${off.map((p) => `${p.label} — ${p.reason}`).join(" ; ")}` : "";
    why.title = why.textContent;
  }

  async function toggle(preset) {
    try {
      if (preset.active) {
        for (const id of preset.active_rule_ids) await api(`/_bench/faults/${encodeURIComponent(id)}`, { method: "DELETE" });
        message(`« ${preset.label} » levée.`);
      } else {
        for (const rule of preset.rules) await api("/_bench/faults", { method: "POST", json: rule });
        message(`« ${preset.label} » appliquée à la session ${state.session}.`);
      }
    } catch (error) {
      message(`Panne impossible : ${error.message}`, true);
    }
    await loadFaults();
  }

  async function clearFaults() {
    try {
      const result = await api(`/_bench/faults?session=${encodeURIComponent(state.session)}`, { method: "DELETE" });
      message(`${result.removed} règle(s) de panne levée(s) pour la session ${state.session}.`);
    } catch (error) {
      message(`Impossible de lever les pannes : ${error.message}`, true);
    }
    await loadFaults();
  }

  function init() {
    document.getElementById("session-select").addEventListener("change", (e) => window.SB.emit("session", e.target.value));
    document.getElementById("session-create").addEventListener("submit", createSession);
    document.getElementById("session-reset").addEventListener("click", resetSession);
    document.getElementById("faults-clear").addEventListener("click", clearFaults);
    document.getElementById("bundle-link").addEventListener("click", async (event) => {
      /* An empty session has nothing to prove: say so instead of downloading an error page. */
      if (window.SB.sequence.total > 0) return;
      event.preventDefault();
      message("Aucun échange dans la session : rien à exporter.", true);
    });
  }

  return { init, loadSessions, loadFaults, updateBundleLink, message };
})();
