/* Map of France drawn from the départements' shapes (/ui/api/departements, an open dataset shipped with
   the bench: nothing is fetched at run time). Establishments are placed by their coordinates with the
   projection fitted to the drawing (x = Σ cx·t, y = Σ cy·t, t = [1, u, v, u², uv, v²], u = lon − 2.5,
   v = lat − 46.5); a région selector zooms the view so that a cluster (Seine-Saint-Denis) is readable. */
"use strict";
window.SB.map = (function () {
  const { svg, el, api } = window.SB;
  let base = null;
  let region = "";

  async function load() {
    if (!base) base = await api("/ui/api/departements");
    return base;
  }

  function project(lat, lon) {
    const u = lon - 2.5, v = lat - 46.5, t = [1, u, v, u * u, u * v, v * v];
    const dot = (c) => c.reduce((s, k, i) => s + k * t[i], 0);
    return [dot(base.projection.x), dot(base.projection.y)];
  }

  function department(code) {
    if (!code) return "";
    return code.startsWith("97") || code.startsWith("98") ? code.slice(0, 3) : code.slice(0, 2);
  }

  function place(item) {
    if (typeof item.latitude === "number" && typeof item.longitude === "number") return project(item.latitude, item.longitude);
    const dep = base.departments.find((d) => d.code === department(item.department || ""));
    return dep ? [dep.cx, dep.cy] : null;
  }

  function frame(items) {
    const r = base.regions.find((x) => x.code === region) || base.departments.find((d) => `d${d.code}` === region);
    if (!r) return base.viewBox.split(" ").map(Number);
    const [x0, y0, x1, y1] = r.box, pad = Math.max(x1 - x0, y1 - y0) * 0.06;
    return [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad];
  }

  function withItems(items) {
    const codes = new Set(items.map((i) => department(i.department || "")));
    return base.departments.filter((d) => codes.has(d.code));
  }

  /* The région holding most establishments: the view a trainer wants first. */
  function busiest(items) {
    const count = {};
    for (const item of items) {
      const dep = base.departments.find((d) => d.code === department(item.department || ""));
      if (dep) count[dep.region] = (count[dep.region] || 0) + 1;
    }
    return Object.keys(count).sort((a, b) => count[b] - count[a])[0] || "";
  }

  /* items: [{id, name, latitude, longitude, department, free: bool}] */
  function draw(items, onSelect, selectedId, onZoom) {
    if (region === "" && items.length) region = busiest(items);
    const [vx, vy, vw, vh] = frame(items);
    const k = Math.max(vw, vh * 613 / 585) / 613;
    const zoomed = region !== "-" && region !== "";
    const inView = (dep) => region.startsWith("d") ? dep.code === region.slice(1) : dep.region === region;
    const root = svg("svg", { viewBox: `${vx} ${vy} ${vw} ${vh}`, role: "img", class: "france",
      "aria-label": "Carte des départements et des établissements" });
    root.append(svg("title", {}, "Carte des établissements du ROR"));
    for (const dep of base.departments) {
      root.append(svg("path", { class: `dept${zoomed && inView(dep) ? " in-region" : ""}`, d: dep.path,
        style: `stroke-width:${(0.8 * k).toFixed(3)}px` }, svg("title", {}, `${dep.code} — ${dep.name}`)));
    }
    for (const dep of base.departments) {
      if (zoomed && !inView(dep)) continue;
      root.append(svg("text", { class: "dept-label", x: dep.cx, y: dep.cy,
        style: `font-size:${(zoomed ? 13 * k : 8).toFixed(2)}px` }, zoomed ? `${dep.code} ${dep.name}` : dep.code));
    }
    for (const item of items) {
      const at = place(item);
      if (!at) continue;
      const group = svg("g", { class: `etab ${item.free ? "free" : "full"}${item.id === selectedId ? " selected" : ""}`,
        tabindex: 0, "data-id": item.id, onclick: () => onSelect(item.id),
        onkeydown: (e) => { if (e.key === "Enter") onSelect(item.id); } },
      svg("circle", { cx: at[0].toFixed(2), cy: at[1].toFixed(2), r: (zoomed ? 6 : 4) * k, style: `stroke-width:${(1.2 * k).toFixed(3)}px` }),
      svg("title", {}, `${item.name}${item.free ? " — places disponibles" : " — complet"}`));
      if (zoomed) group.append(svg("text", { class: "etab-label", x: (at[0] + 8 * k).toFixed(2), y: (at[1] + 4 * k).toFixed(2),
        style: `font-size:${(11 * k).toFixed(2)}px;stroke-width:${(2.5 * k).toFixed(3)}px` }, item.name));
      root.append(group);
    }
    const chooser = el("select", { "aria-label": "Zoom sur une région", onchange: (e) => { region = e.target.value || "-"; onZoom(); } },
      el("option", { value: "-" }, "France métropolitaine"),
      el("optgroup", { label: "Régions" }, base.regions.map((r) => el("option", { value: r.code, selected: r.code === region ? "selected" : null }, r.name))),
      el("optgroup", { label: "Départements des établissements" }, withItems(items).map((d) => el("option", {
        value: `d${d.code}`, selected: `d${d.code}` === region ? "selected" : null }, `${d.code} ${d.name}`))));
    return el("div", { class: "map-frame" }, el("label", { class: "zoom" }, "Zoom : ", chooser), root);
  }

  return { load, draw, project, get note() { return base ? base.attribution : ""; } };
})();
