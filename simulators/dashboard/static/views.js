/* Per-service views, drawn from the JSON documents the services publish under /_bench/
   (shapes in simulators/dashboard/README.md): INSi identities, DMP documents with "voir en tant
   que", MSSanté mailboxes with receipts, ROR establishments on a list and a schematic map, and a
   generic table view. A view whose provider is not mounted says so in plain French. */
"use strict";
window.SB.views = (function () {
  const { el, api, state, dateTime, bytes } = window.SB;
  let currentService = null;
  const ui = { patient: null, viewer: null, mailbox: null, etab: null };
  let refreshTimer = null;

  function provider(service) {
    return ((state.meta && state.meta.views) || []).find((v) => v.service === service);
  }

  async function show(service) {
    currentService = service;
    const view = provider(service);
    const title = document.getElementById("view-title");
    const body = document.getElementById("view-body");
    title.textContent = view ? view.title : service;
    if (!view || !view.running) {
      body.replaceChildren(unavailable("Service non démarré : cette vue s'affichera quand le service tournera sur le banc."));
      return;
    }
    if (!view.mounted) {
      body.replaceChildren(unavailable(`Le service ${service} tourne mais ne publie pas encore de vue (${view.path}).`));
      return;
    }
    let data;
    try {
      data = await api(`${view.path}?session=${encodeURIComponent(state.session)}`);
    } catch (error) {
      body.replaceChildren(unavailable(`Vue indisponible : ${error.message}`));
      return;
    }
    if (currentService !== service) return;
    const renderer = RENDERERS[view.kind] || tables;
    body.replaceChildren(await renderer(data));
  }

  function unavailable(text) { return el("div", { class: "unavailable-box", role: "status" }, text); }

  function table(columns, rows, emptyText) {
    if (!rows.length) return el("p", { class: "note" }, emptyText || "Aucune donnée.");
    return el("table", { class: "data" },
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col" }, c.label)))),
      el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) => el("td", {}, c.render ? c.render(row) : fmt(row[c.key])))))));
  }

  function fmt(value) {
    if (value === null || value === undefined || value === "") return "—";
    if (Array.isArray(value)) return value.join(", ");
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function badge(text) {
    const t = String(text || "").toLowerCase();
    const tone = /qualifi|délivr|deliver|lu|read|ok|ouvert|disponible/.test(t) ? "ok"
      : /valid|récup|recup|attente|pending/.test(t) ? "mid" : /provisoire|douteu|fictiv|refus|fail|échec|erreur|ferm/.test(t) ? "ko" : "";
    return el("span", { class: `badge ${tone}` }, text || "—");
  }

  function persons(data) {
    return table([
      { label: "Nom de naissance", key: "birth_name" }, { label: "Nom utilisé", key: "used_name" },
      { label: "Prénoms", key: "first_names" }, { label: "Sexe", key: "sex" },
      { label: "Naissance", render: (p) => `${fmt(p.birth_date)} — ${fmt(p.birth_place)}` },
      { label: "INS (matricule, OID)", render: (p) => `${fmt(p.ins)} ${p.oid ? "(" + p.oid + ")" : ""}` },
      { label: "Statut", render: (p) => badge(p.status) },
    ], data.persons || [], "Aucune identité dans la base INSi de cette session.");
  }

  const GROUPS_FR = { medical: "Médecins", pharmacien: "Pharmaciens", paramedical: "Paramédicaux (infirmier, kiné, orthophoniste…)",
    psychologue: "Psychologues", educatif: "Éducateurs", social: "Travailleurs sociaux", administratif: "Administratifs" };
  const CATEGORIES_FR = { medical: "médical", psy: "psychologique", reeducation: "rééducation", prescription: "prescriptions",
    medico_social: "médico-social", administratif: "administratif", autre: "autres" };
  let habilitations = null;

  /* Beside the DMP view: why a reader sees what they see (the DMP's matrix), and the regional
     e-parcours tool's rights by group for comparison (Santélien). */
  async function matrices() {
    if (!habilitations) {
      try { habilitations = await api("/ui/api/habilitations"); } catch (error) { return null; }
    }
    const categories = Object.keys(CATEGORIES_FR);
    const s = habilitations.santelien;
    return el("section", { class: "habilitations", "aria-label": "Matrices d'habilitation" },
      el("h3", {}, "Qui lit quoi dans le DMP (matrice d'habilitation)"),
      el("table", { class: "data matrix" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Groupe professionnel"),
          categories.map((c) => el("th", { scope: "col" }, CATEGORIES_FR[c])))),
        el("tbody", {}, habilitations.dmp.map((g) => el("tr", {}, el("th", { scope: "row" }, GROUPS_FR[g.groupe] || g.groupe),
          categories.map((c) => el("td", { class: g.categories.includes(c) ? "yes" : "no" }, g.categories.includes(c) ? "●" : "○")))))),
      el("h3", {}, "Pour comparer : droits par groupe dans Santélien (e-parcours)"),
      el("p", { class: "note" }, s.lecture),
      el("table", { class: "data matrix" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Droit"),
          s.groupes.map((g) => el("th", { scope: "col", title: g.membres }, g.nom)))),
        el("tbody", {}, s.droits.map((d) => el("tr", {}, el("th", { scope: "row" }, d.droit),
          d.valeurs.map((v) => el("td", { class: v ? "yes" : "no" }, v ? "●" : "○")))))),
      el("p", { class: "note" }, s.source));
  }

  async function patients(data) {
    const list = data.patients || [];
    const viewers = data.viewers || [];
    if (!list.length) return el("p", { class: "note" }, "Aucun DMP dans cette session.");
    if (!list.some((p) => p.ins === ui.patient)) ui.patient = list[0].ins;
    if (!viewers.some((v) => v.id === ui.viewer)) ui.viewer = viewers.length ? viewers[0].id : null;
    const patient = list.find((p) => p.ins === ui.patient);
    const documents = patient.documents || [];
    const visible = documents.filter((d) => !ui.viewer || (d.visible_to || {})[ui.viewer] === true);
    const picker = el("select", { id: "dmp-viewer", onchange: (e) => { ui.viewer = e.target.value; show("dmp"); } },
      viewers.map((v) => el("option", { value: v.id, selected: v.id === ui.viewer }, v.label)));
    return el("div", { class: "split" },
      el("div", { class: "list", role: "list", "aria-label": "Patients" }, list.map((p) => el("button", {
        class: "item", type: "button", "aria-current": p.ins === ui.patient ? "true" : "false",
        onclick: () => { ui.patient = p.ins; show("dmp"); } },
      el("strong", {}, p.name || p.ins), el("br"), `INS ${p.ins}${p.minor ? " · mineur" : ""}`,
      p.status ? [" · ", badge(p.status)] : null))),
      el("div", { class: "main" },
        el("p", {}, el("label", { for: "dmp-viewer" }, "Voir en tant que : "), picker),
        el("p", { class: "note" }, `${visible.length} document(s) visible(s) sur ${documents.length}` +
          (documents.length > visible.length ? ` — ${documents.length - visible.length} masqué(s) pour ce lecteur` : "")),
        table([
          { label: "Date", key: "date" }, { label: "Type", key: "type" }, { label: "Titre", key: "title" },
          { label: "Auteur", key: "author" }, { label: "Confidentialité", render: (d) => fmt(d.confidentiality) },
        ], visible, "Aucun document visible pour ce lecteur."),
        await matrices()));
  }

  function mailboxes(data) {
    const list = data.mailboxes || [];
    if (!list.length) return el("p", { class: "note" }, "Aucune boîte aux lettres dans cette session.");
    if (!list.some((m) => m.address === ui.mailbox)) ui.mailbox = list[0].address;
    const box = list.find((m) => m.address === ui.mailbox);
    const messages = box.messages || [];
    return el("div", { class: "split" },
      el("div", { class: "list", role: "list", "aria-label": "Boîtes aux lettres" }, list.map((m) => el("button", {
        class: "item", type: "button", "aria-current": m.address === ui.mailbox ? "true" : "false",
        onclick: () => { ui.mailbox = m.address; show("mss"); } },
      el("strong", {}, m.address), el("br"), `${fmt(m.kind)} · ${fmt(m.owner)} · ${(m.messages || []).length} message(s)`))),
      el("div", { class: "main" }, table([
        { label: "Date", render: (m) => typeof m.date === "number" ? dateTime(m.date) : fmt(m.date) },
        { label: "De", key: "from" }, { label: "À", key: "to" }, { label: "Objet", key: "subject" },
        { label: "Pièces jointes", render: (m) => (m.attachments || []).map((a) => `${a.filename} (${bytes(a.size || 0)})`).join(", ") || "—" },
        { label: "Accusés", render: (m) => (m.receipts || []).length
          ? el("span", {}, (m.receipts || []).map((r) => [badge(`${r.kind} ${r.status || ""}`), " "])) : "—" },
        { label: "État", render: (m) => badge(m.status) },
      ], messages, "Aucun message dans cette boîte.")));
  }

  async function establishments(data) {
    const list = data.establishments || [];
    await window.SB.map.load();
    const items = list.map((e) => ({ id: e.id, name: e.name, latitude: e.latitude, longitude: e.longitude,
      department: e.department || e.commune_code, free: (e.places_available || 0) > 0 }));
    const select = (id) => { ui.etab = id; show("ror"); };
    return el("div", { class: "split" },
      el("div", { class: "main" }, table([
        { label: "Établissement", render: (e) => el("button", { type: "button", class: "secondary", onclick: () => select(e.id),
          "aria-pressed": e.id === ui.etab ? "true" : "false" }, e.name) },
        { label: "Catégorie", key: "category" }, { label: "FINESS", key: "finess" },
        { label: "Commune", render: (e) => `${fmt(e.commune)} (${fmt(e.commune_code)})` },
        { label: "Âges", render: (e) => `${fmt(e.age_min)}–${fmt(e.age_max)} ans` },
        { label: "Places", render: (e) => el("span", { class: `badge ${(e.places_available || 0) > 0 ? "ok" : "ko"}` },
          (e.places_available || 0) > 0 ? `${e.places_available} disponible(s)` : "complet") },
      ], list, "Aucun établissement dans le ROR de cette session.")),
      el("div", { class: "list map" }, window.SB.map.draw(items, select, ui.etab, () => show("ror")),
        el("p", { class: "note" }, window.SB.map.note)));
  }

  function tables(data) {
    const sections = (data.tables || []).map((t) => el("section", {}, el("h3", {}, t.title || ""),
      table(t.columns || [], t.rows || [], "Aucune donnée.")));
    return el("div", {}, data.note ? el("p", { class: "note" }, data.note) : null, sections);
  }

  const RENDERERS = { persons, patients, mailboxes, establishments, tables };

  /* Exchanges of the shown service change its state: refresh, at most once a second. */
  function onRows(event) {
    if (!currentService || document.getElementById("panel-view").hidden || refreshTimer) return;
    if (event && event.services && !event.services.has(currentService)) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; if (currentService) show(currentService); }, 1000);
  }

  function init() {
    document.getElementById("view-refresh").addEventListener("click", () => currentService && show(currentService));
    window.SB.on("rows", onRows);
  }

  return { init, show, hide() { currentService = null; } };
})();
