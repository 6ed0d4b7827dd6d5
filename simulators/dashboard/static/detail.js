/* The detail panel: one exchange decoded by the server (/ui/api/exchanges/<id>): verdicts with
   their requirement texts first (that is what a trainer explains), then the VIHF attributes, then
   request and response pretty-printed, MIME parts and XDM entries listed. All text goes through
   textContent: bodies come from the software under test and are never trusted as HTML. */
"use strict";
window.SB.detail = (function () {
  const { el, api, STATUS_FR, STATUS_SYMBOL, time, dateTime, bytes } = window.SB;
  let current = null;

  async function open(id) {
    current = id;
    const panel = document.getElementById("detail");
    const body = document.getElementById("detail-body");
    panel.hidden = false;
    body.replaceChildren(el("p", { class: "note" }, "Chargement…"));
    let doc;
    try {
      doc = await api(`/ui/api/exchanges/${encodeURIComponent(id)}`);
    } catch (error) {
      body.replaceChildren(el("p", { class: "message error" }, `Échange illisible : ${error.message}`));
      return;
    }
    if (current !== id) return;
    render(doc);
  }

  function close() {
    current = null;
    document.getElementById("detail").hidden = true;
    const row = document.querySelector("#seq-spacer .row.selected");
    (row || document.getElementById("seq-scroll")).focus();
  }

  function render(doc) {
    const ex = doc.exchange;
    const row = doc.row;
    document.getElementById("detail-title").textContent = `${ex.service} · ${ex.operation}`;
    const verdict = row.verdict;
    const sections = [
      el("p", { class: `v-${verdict}`, "data-testid": "detail-verdict" },
        el("strong", {}, `${STATUS_SYMBOL[verdict]} Verdict en direct : ${STATUS_FR[verdict]}`)),
      el("dl", { class: "kv" },
        kv("Heure", `${dateTime(ex.started_at)} (${time(ex.started_at)})`),
        kv("Durée", `${ex.duration_ms.toFixed(1).replace(".", ",")} ms`),
        kv("Session", ex.session),
        kv("Protocole", `${ex.protocol} ${ex.method || ""} ${ex.path || ""}`),
        kv("Statut", ex.status === 0 ? "aucune réponse (connexion coupée)" : String(ex.status)),
        ex.fault ? kv("Panne injectée", ex.fault) : null,
        kv("Appelant", callerText(ex.caller)),
        kv("Identifiant", ex.id)),
      verdictsSection(doc.verdicts),
      vihfSection(doc.vihf),
      summarySection(ex.summary),
      curlSection(doc.curl),
      bodySection("Requête", doc.request, doc.raw.request, ex.request_headers),
      bodySection("Réponse", doc.response, doc.raw.response, ex.response_headers),
      el("p", {}, el("a", { href: doc.raw.json, target: "_blank" }, "Échange complet (JSON)")),
    ];
    const body = document.getElementById("detail-body");
    body.replaceChildren(...sections.filter(Boolean));
    body.scrollTop = 0;
  }

  function kv(key, value) {
    return [el("dt", {}, key), el("dd", {}, value)];
  }

  function callerText(caller) {
    if (!caller) return "anonyme";
    const kinds = { tls: "certificat TLS", saml: "assertion SAML (VIHF)", oauth: "jeton OAuth", smtp: "compte SMTP",
      imap: "compte IMAP", anonymous: "anonyme" };
    return [kinds[caller.kind] || caller.kind, caller.subject, caller.issuer ? `émis par ${caller.issuer}` : ""]
      .filter(Boolean).join(" — ");
  }

  function verdictsSection(verdicts) {
    const items = verdicts.length ? verdicts.map((v) => el("div", { class: `verdict v-${v.status}`, "data-testid": "verdict" },
      el("div", {}, el("strong", {}, `${STATUS_SYMBOL[v.status] || "·"} ${STATUS_FR[v.status] || v.status}`), ` — ${v.check}`),
      v.message ? el("div", { class: "msg" }, v.message) : null,
      v.requirements.map((r) => el("div", { class: "req" }, el("b", {}, r.id), ` (${r.level || "?"}) : ${r.text}`,
        r.source ? el("span", { class: "note" }, ` — source : ${r.source}`) : null))))
      : [el("p", { class: "note" }, "Aucune vérification en direct n'a jugé cet échange.")];
    return el("section", {}, el("h3", {}, "Vérifications de conformité"), ...items);
  }

  function vihfSection(assertions) {
    if (!assertions || !assertions.length) return null;
    return el("section", {}, el("h3", {}, "Jeton VIHF (assertion SAML)"), ...assertions.map((a) => el("div", { class: "part" },
      el("dl", { class: "kv" }, kv("Émetteur", a.issuer || "—"), kv("Sujet", a.subject || "—"),
        kv("Validité", `${a.not_before || "?"} → ${a.not_on_or_after || "?"}`), kv("Signée", a.signed ? "oui" : "non")),
      el("table", { class: "data" }, el("thead", {}, el("tr", {}, el("th", {}, "Attribut"), el("th", {}, "Valeur"))),
        el("tbody", {}, a.attributes.map((attr) => el("tr", {},
          el("td", { title: attr.name }, attr.label), el("td", {}, attr.values.join(" | ") || "—"))))))));
  }

  function curlSection(command) {
    if (!command) return null;
    const text = el("pre", { class: "body", "data-testid": "curl-command", tabindex: "0" }, command);
    const state = el("span", { class: "note", "data-testid": "curl-state", "aria-live": "polite" }, "");
    const button = el("button", { type: "button", "data-testid": "copy-curl",
      title: "Copier la requête comme commande curl (le corps est relu depuis l'API d'administration)" },
    "Copier en curl");
    button.addEventListener("click", () => copy(command, text).then((ok) => {
      state.textContent = ok ? " copiée dans le presse-papiers" : " sélectionnée : Ctrl+C pour copier";
    }));
    return el("section", {}, el("h3", {}, "Rejouer la requête"), el("p", {}, button, state),
      el("details", {}, el("summary", {}, "Commande curl"), text));
  }

  async function copy(command, pre) {
    try {
      await navigator.clipboard.writeText(command);
      return true;
    } catch (error) {  // no clipboard permission (plain http, old browser): select the text instead
      const range = document.createRange();
      pre.parentElement.open = true;
      range.selectNodeContents(pre);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return document.execCommand && document.execCommand("copy");
    }
  }

  function summarySection(summary) {
    const keys = Object.keys(summary || {});
    if (!keys.length) return null;
    return el("section", {}, el("h3", {}, "Résumé relevé par le simulateur"),
      el("pre", { class: "body" }, JSON.stringify(summary, null, 2)));
  }

  function bodySection(title, view, rawUrl, headers) {
    const names = Object.keys(headers || {});
    return el("section", {}, el("h3", {}, title, " ", el("a", { href: rawUrl, class: "note" }, "(brut)")),
      names.length ? el("details", {}, el("summary", {}, `En-têtes (${names.length})`),
        el("dl", { class: "kv" }, names.map((k) => kv(k, headers[k])))) : null,
      bodyView(view, 0));
  }

  const KINDS = { xml: "XML", json: "JSON", text: "texte", multipart: "MIME multipart", message: "message",
    zip: "archive zip", binary: "binaire", empty: "vide" };

  function bodyView(view, depth) {
    const head = el("div", { class: "part-title" }, [view.title, `${KINDS[view.kind] || view.kind}`,
      view.content_type, view.size ? bytes(view.size) : ""].filter(Boolean).join(" · "));
    const children = [head];
    if (view.headers && Object.keys(view.headers).length) {
      children.push(el("dl", { class: "kv" }, Object.entries(view.headers).map(([k, v]) => kv(k, v))));
    }
    if (view.note) children.push(el("p", { class: "note" }, view.note));
    if (view.text) children.push(el("pre", { class: "body", tabindex: "0" }, view.text + (view.truncated ? "\n… (tronqué)" : "")));
    if (view.entries && view.entries.length) {
      children.push(el("table", { class: "data" },
        el("thead", {}, el("tr", {}, el("th", {}, "Entrée de l'archive"), el("th", {}, "Taille"))),
        el("tbody", {}, view.entries.map((e) => el("tr", {}, el("td", {}, e.name), el("td", {}, bytes(e.size)))))));
    }
    if (view.parts && view.parts.length) {
      children.push(el("div", {}, el("p", { class: "note" }, `${view.parts.length} partie(s) :`),
        view.parts.map((p) => bodyView(p, depth + 1))));
    }
    return el("div", { class: depth ? "part" : "" }, children);
  }

  function init() {
    document.getElementById("detail-close").addEventListener("click", close);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !document.getElementById("detail").hidden) close();
    });
    window.SB.on("select", open);
  }

  return { init, open, close };
})();
