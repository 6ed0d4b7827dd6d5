/* Schematic map of France (no tiles: the bench runs offline). Départements are dots at their
   prefecture, as served by /ui/api/map; establishments are placed with the same linear projection
   (x = x0 + (lon - lon0) * kx, y = y0 + (lat0 - lat) * ky) or, overseas, in their inset. */
"use strict";
window.SB.map = (function () {
  const { svg, api } = window.SB;
  let base = null;

  async function load() {
    if (!base) base = await api("/ui/api/map");
    return base;
  }

  function department(code) {
    if (!code) return "";
    return code.startsWith("97") || code.startsWith("98") ? code.slice(0, 3) : code.slice(0, 2);
  }

  /* Deterministic spread in [0, 1) so that several overseas establishments do not overlap. */
  function spread(id) {
    let h = 0;
    for (const ch of String(id)) h = (h * 31 + ch.charCodeAt(0)) % 1000;
    return h / 1000;
  }

  function place(item) {
    const p = base.projection;
    const dep = department(item.department || item.commune_code || "");
    const inset = base.insets.find((i) => i.code === dep);
    if (inset) return [inset.x + inset.w / 2 + (spread(item.id) * 20 - 10), inset.y + inset.h / 2 + 6];
    if (typeof item.latitude === "number" && typeof item.longitude === "number") {
      return [p.x0 + (item.longitude - p.lon0) * p.kx, p.y0 + (p.lat0 - item.latitude) * p.ky];
    }
    const dot = base.departments.find((d) => d.code === dep);
    return dot ? [dot.x + 6, dot.y - 6] : null;
  }

  /* items: [{id, name, latitude, longitude, department|commune_code, free: bool}] */
  function draw(items, onSelect, selectedId) {
    const root = svg("svg", { viewBox: `0 0 ${base.width} ${base.height}`, role: "img",
      "aria-label": "Carte schématique des établissements (un point par département)" });
    root.append(svg("title", {}, "Carte schématique des établissements"));
    for (const inset of base.insets) {
      root.append(svg("rect", { class: "inset", x: inset.x, y: inset.y, width: inset.w, height: inset.h }),
        svg("text", { class: "inset-label", x: inset.x + 4, y: inset.y + 12 }, inset.label));
    }
    for (const dot of base.departments) {
      root.append(svg("circle", { class: "dept", cx: dot.x, cy: dot.y, r: 3 },
        svg("title", {}, `${dot.code} — ${dot.prefecture}`)));
      root.append(svg("text", { class: "dept-label", x: dot.x + 4, y: dot.y + 3 }, dot.code));
    }
    for (const item of items) {
      const at = place(item);
      if (!at) continue;
      const circle = svg("circle", { class: `etab ${item.free ? "free" : "full"}${item.id === selectedId ? " selected" : ""}`,
        cx: at[0].toFixed(1), cy: at[1].toFixed(1), r: 7, tabindex: 0, "data-id": item.id,
        onclick: () => onSelect(item.id), onkeydown: (e) => { if (e.key === "Enter") onSelect(item.id); } },
      svg("title", {}, `${item.name}${item.free ? " — places disponibles" : " — complet"}`));
      root.append(circle);
    }
    return root;
  }

  return { load, draw, get note() { return base ? base.note : ""; } };
})();
