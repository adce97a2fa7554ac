"use strict";
// migkaitai report: draws the RAM map, the file map and the device tree from the JSON
// block #report-data. Text from the stream is only ever set as textContent.
(function () {
  const D = JSON.parse(document.getElementById("report-data").textContent);
  const CLASS_COLORS = {
    unsent: [232, 232, 232], zero: [158, 202, 225], data: [33, 113, 181],
    xbzrle: [253, 141, 60], compressed: [140, 107, 177], resent: [214, 39, 40],
  };
  const CLASS_TEXT = {
    unsent: "never sent", zero: "zero page", data: "sent with data",
    xbzrle: "last sent as XBZRLE delta", compressed: "last sent compressed",
    resent: "sent several times, last with data",
  };
  const CLASS_SHORT = {
    unsent: "never sent", zero: "zero", data: "data", xbzrle: "XBZRLE",
    compressed: "compressed", resent: "resent",
  };
  const SEG_COLORS = {
    ram: "#2171b5", device: "#31a354", special: "#756bb1", command: "#fd8d3c",
    config: "#e6550d", eof: "#636363", other: "#969696", header: "#252525",
    description: "#fdd0a2", before: "#d9d9d9",
  };
  const SEG_TEXT = {
    before: "before the stream", header: "header", config: "configuration",
    ram: "RAM sections", device: "device sections", special: "other sections",
    command: "commands", eof: "EOF", description: "JSON description", other: "other",
  };
  const tip = document.getElementById("tip");

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function hex(n) { return "0x" + n.toString(16); }
  function size(n) {
    const units = [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]];
    for (const [u, s] of units) if (n >= s) {
      const v = n / s;
      return (Number.isInteger(v) ? v : v.toFixed(1)) + " " + u;
    }
    return n + " bytes";
  }
  function legend(box, entries) {
    for (const [color, text] of entries) {
      const item = el("span");
      const sw = el("span", { class: "sw" });
      sw.style.background = color;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(text));
      box.appendChild(item);
    }
  }
  function showTip(ev, text) {
    tip.textContent = text;
    tip.hidden = false;
    const x = Math.min(ev.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    const y = Math.min(ev.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = Math.max(0, x) + "px";
    tip.style.top = Math.max(0, y) + "px";
  }
  function hideTip() { tip.hidden = true; }

  // ---- RAM map --------------------------------------------------------------------
  const classes = D.classes;
  function ramMap() {
    const box = document.getElementById("ram-blocks");
    legend(document.getElementById("ram-legend"), classes.map(
      (c) => ["rgb(" + CLASS_COLORS[c].join(",") + ")", CLASS_TEXT[c]]));
    if (!D.ram.length) {
      box.appendChild(el("p", { class: "hint" }, "The stream announced no RAM blocks."));
      return;
    }
    const largest = Math.max(...D.ram.map((b) => b.size));
    const COLS = 128, CELL = 7, GAP = 1;
    // one row per block first: where the pages are at a glance, each a link to its picture
    const table = el("table", { class: "counts", id: "ram-table" });
    const thead = el("thead"), tbody = el("tbody"), hr = el("tr");
    for (const h of ["block", "size", "pages"]) hr.appendChild(el("th", null, h));
    for (const c of classes) {  // a swatch and a short name; the long one on hover
      const th = el("th", { title: CLASS_TEXT[c] });
      const sw = el("span", { class: "sw" });
      sw.style.background = "rgb(" + CLASS_COLORS[c].join(",") + ")";
      th.appendChild(sw);
      th.appendChild(document.createTextNode(CLASS_SHORT[c]));
      hr.appendChild(th);
    }
    thead.appendChild(hr);
    table.appendChild(thead);
    table.appendChild(tbody);
    box.appendChild(table);
    D.ram.forEach((b, bi) => {
      const tr = el("tr");
      const link = el("a", { href: "#ram-" + bi }, b.name);
      const name = el("td", { class: "name" });
      name.appendChild(link);
      tr.appendChild(name);
      tr.appendChild(el("td", null, size(b.size)));
      tr.appendChild(el("td", null, b.pages.toLocaleString("en")));
      const sums = classes.map(() => 0);
      for (const run of b.cells) classes.forEach((_, k) => { sums[k] += run[0] * run[1 + k]; });
      sums.forEach((n) => tr.appendChild(el("td", null, n.toLocaleString("en"))));
      tbody.appendChild(tr);
    });
    D.ram.forEach((b, bi) => {
      const cells = [];  // expand the runs: [n0..n5] per cell
      for (const run of b.cells) for (let r = 0; r < run[0]; r++) cells.push(run.slice(1));
      const totals = classes.map((_, k) => cells.reduce((s, c) => s + c[k], 0));
      const div = el("div", { class: "ramblock", id: "ram-" + bi, "data-block": b.name,
        "data-cells": String(cells.length), "data-per-cell": String(b.per_cell),
        "data-pages": String(b.pages) });
      classes.forEach((c, k) => div.setAttribute("data-count-" + c, String(totals[k])));
      div.setAttribute("data-resent-any", String(cells.reduce((s, c) => s + c[classes.length], 0)));
      const cellBytes = b.per_cell * D.page_size;
      div.appendChild(el("h3", null, b.name + ": " + size(b.size) + ", " +
        b.pages.toLocaleString("en") + " pages" + (b.mapped_ram ? " (mapped-ram)" : "") +
        (b.note ? "" : "; a cell is " + b.per_cell.toLocaleString("en") + " page" +
          (b.per_cell > 1 ? "s" : "") + " (" + size(cellBytes) + ")")));
      if (b.note) {  // a block too large to map (its size as the stream claims it)
        div.appendChild(el("p", { class: "note" }, b.note));
        box.appendChild(div);
        return;
      }
      const scale = el("div", { class: "scale", title: "size to scale with the largest block" });
      scale.style.width = Math.max(0.2, 100 * b.size / largest) + "%";
      div.appendChild(scale);
      const rows = Math.max(1, Math.ceil(cells.length / COLS));
      const cols = Math.min(COLS, Math.max(1, cells.length));
      const canvas = el("canvas", { width: String(cols * (CELL + GAP)),
        height: String(rows * (CELL + GAP)), role: "img",
        "aria-label": "pages of RAM block " + b.name });
      const ctx = canvas.getContext("2d");
      cells.forEach((c, i) => {
        const n = c.slice(0, classes.length).reduce((a, x) => a + x, 0) || 1;
        const rgb = [0, 1, 2].map((j) => Math.round(
          classes.reduce((s, cls, k) => s + CLASS_COLORS[cls][j] * c[k], 0) / n));
        ctx.fillStyle = "rgb(" + rgb.join(",") + ")";
        ctx.fillRect((i % COLS) * (CELL + GAP), Math.floor(i / COLS) * (CELL + GAP), CELL, CELL);
      });
      canvas.addEventListener("mousemove", (ev) => {
        const r = canvas.getBoundingClientRect();
        const i = Math.floor((ev.clientY - r.top) / (CELL + GAP)) * COLS +
          Math.floor((ev.clientX - r.left) / (CELL + GAP));
        if (i < 0 || i >= cells.length) { hideTip(); return; }
        const first = i * b.per_cell, last = Math.min(b.pages, first + b.per_cell) - 1;
        const lines = [b.name + " page" + (last > first ? "s " + first + "-" + last : " " + first),
          "offsets " + hex(first * D.page_size) + "-" + hex((last + 1) * D.page_size - 1)];
        classes.forEach((c, k) => { if (cells[i][k]) lines.push(CLASS_TEXT[c] + ": " + cells[i][k]); });
        if (cells[i][classes.length]) lines.push("(sent more than once, any class: " + cells[i][classes.length] + ")");
        showTip(ev, lines.join("\n"));
      });
      canvas.addEventListener("mouseleave", hideTip);
      div.appendChild(canvas);
      const t = el("table", { class: "counts" });
      const head = el("tr"), vals = el("tr");
      classes.forEach((c, k) => {
        head.appendChild(el("th", null, CLASS_TEXT[c]));
        vals.appendChild(el("td", { "data-class": c }, totals[k].toLocaleString("en")));
      });
      t.appendChild(head);
      t.appendChild(vals);
      div.appendChild(t);
      const e = b.encodings;
      div.appendChild(el("p", { class: "hint" }, "Records: " + e.full.toLocaleString("en") +
        " full, " + e.zero.toLocaleString("en") + " zero, " + e.xbzrle.toLocaleString("en") +
        " XBZRLE, " + e.compressed.toLocaleString("en") + " compressed" +
        (e.multifd ? " (" + e.multifd.toLocaleString("en") + " from multifd channels)" : "") +
        "; " + e.resent.toLocaleString("en") + " sends beyond one per page."));
      box.appendChild(div);
    });
  }

  // ---- file map -------------------------------------------------------------------
  function fileMap() {
    const total = D.stream_size || 1;
    const segs = [];
    if (D.stream_start > 0) segs.push([0, D.stream_start, "before", "before the stream (container)", 1, -1]);
    segs.push([D.stream_start, D.stream_start + 8, "header", "header: QEVM, version 3", 1, -1]);
    for (const s of D.segments) segs.push(s);
    if (D.description_span) segs.push([D.description_span[0], D.description_span[1],
      "description", "JSON description (" + (D.description_span[1] - D.description_span[0]) + " bytes)", 1, -1]);
    const used = new Set(segs.map((s) => s[2]));
    legend(document.getElementById("file-legend"), Object.keys(SEG_TEXT)
      .filter((k) => used.has(k)).map((k) => [SEG_COLORS[k], SEG_TEXT[k]]));
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 1000 44");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "the stream's records by offset");
    const back = document.createElementNS(NS, "rect");
    for (const [k, v] of [["x", 0], ["y", 4], ["width", 1000], ["height", 32], ["fill", "#f0f0f0"]])
      back.setAttribute(k, v);
    svg.appendChild(back);
    const info = document.getElementById("file-info");
    let selected = null;
    segs.forEach((s, i) => {
      const r = document.createElementNS(NS, "rect");
      const x = 1000 * s[0] / total;
      const w = Math.max(0.6, 1000 * (s[1] - s[0]) / total);
      r.setAttribute("x", String(x));
      r.setAttribute("y", "4");
      r.setAttribute("width", String(w));
      r.setAttribute("height", "32");
      r.setAttribute("fill", SEG_COLORS[s[2]] || SEG_COLORS.other);
      r.setAttribute("class", "seg seg-" + s[2]);
      r.setAttribute("data-i", String(i));
      r.setAttribute("data-device", String(s[5]));
      r.addEventListener("mousemove", (ev) => showTip(ev, s[3] + "\n" + hex(s[0]) + "-" + hex(s[1]) + " (" + size(s[1] - s[0]) + ")"));
      r.addEventListener("mouseleave", hideTip);
      r.addEventListener("click", () => {
        if (selected) selected.classList.remove("sel");
        selected = r;
        r.classList.add("sel");
        info.textContent = s[3] + ": offsets " + hex(s[0]) + " to " + hex(s[1]) + ", " +
          (s[1] - s[0]).toLocaleString("en") + " bytes" + (s[4] > 1 ? ", " + s[4] + " records" : "");
        if (s[5] >= 0) revealDevice(s[5]);
      });
      svg.appendChild(r);
    });
    if (D.error_offset !== null && D.error_offset !== undefined) {
      const x = 1000 * D.error_offset / total;
      const line = document.createElementNS(NS, "rect");
      for (const [k, v] of [["x", Math.max(0, x - 0.75)], ["y", 0], ["width", 1.5], ["height", 44],
        ["fill", "#d00"], ["id", "fault-marker"]]) line.setAttribute(k, v);
      const t = document.createElementNS(NS, "title");
      t.textContent = "decoding stopped at " + hex(D.error_offset);
      line.appendChild(t);
      svg.appendChild(line);
    }
    document.getElementById("file-bar").appendChild(svg);
  }

  // ---- devices --------------------------------------------------------------------
  const devEls = [];
  function row(parent, f) {
    // f: [label, type, value, offset, size, children or 0, collapsed]
    const parts = (into) => {
      if (f[0]) into.appendChild(el("span", { class: "name" }, f[0]));
      if (f[1]) { into.appendChild(document.createTextNode(" ")); into.appendChild(el("span", { class: "type" }, f[1])); }
      if (f[2]) { into.appendChild(document.createTextNode(" ")); into.appendChild(el("span", { class: "val" }, f[2])); }
      into.appendChild(document.createTextNode(" "));
      into.appendChild(el("span", { class: "off" }, "@" + hex(f[3]) + (f[4] ? " +" + f[4] : "")));
    };
    if (f[5]) {
      const d = el("details", { class: "field" });
      const s = el("summary");
      parts(s);
      d.appendChild(s);
      d.addEventListener("toggle", () => fill(d, f[5]), { once: true });
      d._field = f;
      parent.appendChild(d);
    } else {
      const div = el("div", { class: "leaf" });
      div._field = f;
      parts(div);
      parent.appendChild(div);
    }
  }
  function fill(d, kids) {
    if (d._filled) return;
    d._filled = true;
    for (const k of kids) row(d, k);
    if (query) mark(d);
  }
  function deviceTree() {
    const tree = document.getElementById("device-tree");
    const n = D.devices.filter((x) => x.fmt === "device" && (x.kind === "section_full" || x.kind === "section_start")).length;
    const count = document.getElementById("device-count");
    count.setAttribute("data-devices", String(n));
    count.setAttribute("data-sections", String(D.devices.length));
    count.textContent = n + " device section" + (n === 1 ? "" : "s") +
      (D.devices.length > n ? " (" + D.devices.length + " sections listed)" : "");
    for (const dev of D.devices) {
      const d = el("details", { class: "dev", "data-i": String(dev.i), id: "dev-" + dev.i });
      const s = el("summary");
      s.appendChild(el("span", { class: "name" }, dev.name));
      s.appendChild(document.createTextNode(" "));
      if (dev.fmt === "parts") {  // the parts of an iterative section not listed
        s.appendChild(el("span", { class: "type" }, "more parts"));
      } else {
        s.appendChild(el("span", { class: "type" }, "instance " + dev.inst + ", version " + dev.ver +
          (dev.kind !== "section_full" ? ", " + dev.kind : "") + (dev.fmt !== "device" ? ", " + dev.fmt : "")));
        s.appendChild(document.createTextNode(" "));
        s.appendChild(el("span", { class: "off" }, "@" + hex(dev.off) + " +" + dev.size));
      }
      d.appendChild(s);
      d.addEventListener("toggle", () => {
        if (d._filled) return;
        if (dev.note) d.appendChild(el("div", { class: "dnote" }, dev.note));
        fill(d, dev.f);
      });
      tree.appendChild(d);
      devEls.push(d);
    }
  }
  function revealDevice(i) {
    const d = devEls[i];
    if (!d) return;
    d.hidden = false;
    d.open = true;
    d.scrollIntoView({ block: "center" });
    d.classList.add("flash");
    setTimeout(() => d.classList.remove("flash"), 1500);
  }
  // search: a device is shown when its name or one of its fields' names has the text
  let query = "";
  function names(fields, out) {
    for (const f of fields) {
      if (f[0]) out.push(f[0].toLowerCase());
      if (f[5]) names(f[5], out);
    }
    return out;
  }
  const fieldNames = [];
  function mark(root) {
    for (const e of root.querySelectorAll(".field, .leaf")) {
      const f = e._field;
      e.classList.toggle("hit", !!query && !!f && !!f[0] && f[0].toLowerCase().includes(query));
    }
  }
  function search() {
    query = document.getElementById("device-search").value.trim().toLowerCase();
    let shown = 0;
    D.devices.forEach((dev, i) => {
      let hit = !query || dev.name.toLowerCase().includes(query);
      if (!hit) {
        if (!fieldNames[i]) fieldNames[i] = names(dev.f, []);
        hit = fieldNames[i].some((n) => n.includes(query));
      }
      devEls[i].hidden = !hit;
      devEls[i].classList.toggle("hit", !!query && dev.name.toLowerCase().includes(query));
      if (hit) shown++;
      if (devEls[i]._filled) mark(devEls[i]);
    });
    const count = document.getElementById("device-count");
    count.setAttribute("data-shown", String(shown));
    count.textContent = query ? shown + " of " + D.devices.length + " sections match"
      : count.getAttribute("data-all");
  }

  ramMap();
  fileMap();
  deviceTree();
  const countEl = document.getElementById("device-count");
  countEl.setAttribute("data-all", countEl.textContent);  // (shown again when the search is cleared)
  countEl.setAttribute("data-shown", String(D.devices.length));
  document.getElementById("device-search").addEventListener("input", search);
  document.body.setAttribute("data-ready", "1");
})();
