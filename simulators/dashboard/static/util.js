/* Shared helpers of the dashboard (no framework, no build step): DOM building, JSON fetch,
   French formatting, and a tiny event hub the modules use to talk to each other. */
"use strict";
window.SB = (function () {
  const listeners = {};

  function on(name, fn) { (listeners[name] = listeners[name] || []).push(fn); }
  function emit(name, data) { (listeners[name] || []).forEach((fn) => fn(data)); }

  /* el("div", {class: "x", onclick: fn}, "text", child) — text is always set as text, never HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  class HttpError extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }

  async function api(url, options) {
    const opts = Object.assign({ headers: {} }, options || {});
    if (opts.json !== undefined) {
      opts.body = JSON.stringify(opts.json);
      opts.headers["Content-Type"] = "application/json";
      delete opts.json;
    }
    const response = await fetch(url, opts);
    if (response.status === 204) return null;
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await response.json() : await response.text();
    if (!response.ok) throw new HttpError(response.status, (data && data.detail) || String(data) || response.statusText);
    return data;
  }

  const STATUS_FR = { pass: "réussi", warning: "avertissement", fail: "échec", error: "erreur du banc",
    skip: "ignoré", omit: "non évalué", none: "non jugé" };
  const STATUS_SYMBOL = { pass: "✓", warning: "!", fail: "✗", error: "⚠", skip: "–", omit: "·", none: "·" };

  function time(epoch) {
    const d = new Date(epoch * 1000);
    const pad = (n, w) => String(n).padStart(w || 2, "0");
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  function dateTime(epoch) { return new Date(epoch * 1000).toLocaleString("fr-FR"); }
  function bytes(n) {
    if (n < 1024) return `${n} o`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1).replace(".", ",")} Kio`;
    return `${(n / 1024 / 1024).toFixed(1).replace(".", ",")} Mio`;
  }
  function plural(n, word) { return `${n.toLocaleString("fr-FR")} ${word}${n > 1 ? "s" : ""}`; }

  const state = { session: "default", meta: null, requirements: null };

  return { on, emit, el, svg, api, HttpError, STATUS_FR, STATUS_SYMBOL, time, dateTime, bytes, plural, state };
})();
