#!/usr/bin/env node
// Parse a stream the way the Kaitai Web IDE worker does (kaitai_struct_webide
// src/v1/kaitaiWorker.ts, reparse + exportValue), then print the top-level records as JSON.
//
//   node webide_parse.js --ksy FILE.ksy --js DEBUG_JS_DIR [--max-array N] [--fields PATH]... STREAM
//
// DEBUG_JS_DIR holds the JavaScript compiled with `ksc.js --target javascript --debug`.
// Like the Web IDE we concatenate all generated files, eval them with a global KaitaiStream,
// take the class named after meta.id, build the root from the stream alone
// (`new Main(new KaitaiStream(buffer, 0))`), call `_read()`, and then evaluate every field
// and every instance getter recursively (the Web IDE's exportValue with lazy parsing off).
//
// Output: [{"ofs": N, "fields": {"path.to.field": primitive, ...}}, ...], one entry per
// element of the root's `records`; ofs comes from `_debug.records.arr[i].start`. Fields are
// the seq fields (the `_debug` keys) of the record and of its sub-objects, named with their
// .ksy ids; byte arrays and arrays longer than --max-array are skipped; array elements get
// their index as a path component. Enums appear as numbers. Numbers beyond 2**53 are
// imprecise, exactly as in the Web IDE.
//
// With --fields PATH (repeatable; a dot path of .ksy ids and array indexes from the root, ""
// for the root), the output is instead {"PATH": {"field": primitive, ...}, ...}: the seq
// fields under each object named (for a container, whose root has no `records`).
// With --value PATH (repeatable; the path may end in an instance), {"PATH": value, ...}
// (with --fields' entries, if any): the value the IDE shows there, null where it has none.
// With --repr PATH (repeatable), {"PATH": text, ...}: the object's -webide-representation as
// the IDE's tree shows it (parsedToTree.ts reprObject, without its HTML).
// With --unparsed, {"unparsed": [[start, end], ...]}: the byte ranges the IDE's info panel
// lists as unparsed (parsedToTree.ts fillIntervals over the tree exportValue builds with
// every instance evaluated: each object's fields in order, then its evaluated instances).
// With --no-unparsed, a parse that leaves such ranges fails (exit 1) naming the first one.
//
// On a parse or instance error the records parsed so far are still printed, the error goes
// to stderr as one line, and the exit status is 1.
"use strict";

const fs = require("fs");
const path = require("path");
const yaml = require("js-yaml");
const KaitaiStream = require("kaitai-struct/KaitaiStream");

const USAGE = "usage: webide_parse.js --ksy FILE.ksy --js DEBUG_JS_DIR [--max-array N] " +
  "[--fields PATH]... [--value PATH]... [--repr PATH]... [--unparsed] [--no-unparsed] STREAM";

// SchemaUtils.ksyNameToJsName of the Web IDE (same rule as the compiler's JS backend).
function jsName(ksyName, isProp) {
  return ksyName.split("_").map((x, i) => (i === 0 && isProp ? x : x.charAt(0).toUpperCase() + x.slice(1))).join("");
}

function loadKsy(file) {
  return yaml.load(fs.readFileSync(file, "utf8"), { schema: yaml.CORE_SCHEMA, filename: file });
}

// Map JS property names back to .ksy ids, over the main spec and the imports beside it.
function ksyFieldNames(mainFile) {
  const names = new Map();
  const add = (id) => {
    const js = jsName(id, true);
    if (names.has(js) && names.get(js) !== id) throw new Error(`ids '${names.get(js)}' and '${id}' share JS name '${js}'`);
    names.set(js, id);
  };
  const walkType = (t) => {
    for (const a of t.seq || []) if (a.id) add(a.id);
    for (const p of t.params || []) if (p.id) add(p.id);
    for (const id of Object.keys(t.instances || {})) add(id);
    for (const sub of Object.values(t.types || {})) walkType(sub);
  };
  const seen = new Set();
  const walkFile = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const spec = loadKsy(file);
    walkType(spec);
    for (const imp of (spec.meta && spec.meta.imports) || []) walkFile(path.join(path.dirname(file), imp + ".ksy"));
  };
  walkFile(mainFile);
  return names;
}

// kaitaiWorker.ts initCode: eval the concatenated generated code with a global KaitaiStream;
// the UMD wrapper then takes its "browser global" branch and fills `root.<ClassName>`.
function loadMainClass(jsDir, className) {
  const src = fs.readdirSync(jsDir).filter((f) => f.endsWith(".js")).sort()
    .map((f) => fs.readFileSync(path.join(jsDir, f), "utf8")).join("\n");
  const root = { KaitaiStream };
  new Function("self", src)(root); // eslint-disable-line no-new-func
  globalThis.__kaitaiRoot = root; // (enum objects, for --repr)
  if (!root[className] || typeof root[className][className] !== "function") {
    throw new Error(`${jsDir} does not define ${className}`);
  }
  return root[className][className];
}

// exportValue(..., noLazy = true) without building the exported tree: touch every field
// and every instance getter so that whatever the Web IDE tree would evaluate runs here too.
// `seen` only stops a cycle (an instance returning _parent/_root), which the IDE would loop on.
function evaluateAll(obj, seen) {
  if (obj === null || typeof obj !== "object" || obj instanceof Uint8Array || seen.has(obj)) return;
  seen.add(obj);
  if (Array.isArray(obj)) {
    for (const item of obj) evaluateAll(item, seen);
    return;
  }
  const names = new Set(Object.keys(obj));
  if (obj._debug) for (const k of Object.keys(obj._debug)) names.add(k);
  for (const k of names) if (k[0] !== "_") evaluateAll(obj[k], seen);
  if (obj.constructor !== Object) {
    for (const p of Object.getOwnPropertyNames(obj.constructor.prototype)) {
      if (p[0] !== "_" && p !== "constructor") evaluateAll(obj[p], seen);
    }
  }
}

function collectPrimitives(value, prefix, out, names, maxArray) {
  if (value === undefined || value === null || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    if (value.length > maxArray) return;
    value.forEach((item, i) => collectPrimitives(item, `${prefix}.${i}`, out, names, maxArray));
  } else if (typeof value === "object") {
    for (const k of Object.keys(value._debug || {})) {
      if (k[0] === "_") continue; // "_m_*" are instances, not seq fields
      const name = names.get(k);
      if (name === undefined) throw new Error(`field '${k}' not found in the .ksy`);
      collectPrimitives(value[k], prefix === "" ? name : `${prefix}.${name}`, out, names, maxArray);
    }
  } else if (["number", "string", "boolean"].includes(typeof value)) {
    out[prefix] = value;
  }
}

function follow(root, p, option, lastMayLack = false) {
  let obj = root;
  const parts = p === "" ? [] : p.split(".");
  for (const [i, part] of parts.entries()) {
    obj = /^\d+$/.test(part) ? obj[Number(part)] : obj[jsName(part, true)];
    if (obj === undefined || obj === null) {
      if (lastMayLack && i === parts.length - 1) return null;
      throw new Error(`${option} ${p}: no '${part}'`);
    }
  }
  return obj;
}

function fieldsJson(root, paths, values, names, maxArray) {
  const out = {};
  for (const p of paths) {
    const fields = {};
    collectPrimitives(follow(root, p, "--fields"), "", fields, names, maxArray);
    out[p] = fields;
  }
  for (const p of values) out[p] = follow(root, p, "--value", true);  // (null: absent)
  return out;
}

function reprJson(root, paths, types) {
  const out = {};
  for (const p of paths) out[p] = reprObject(follow(root, p, "--repr"), types);
  return out;
}

// The leaves of the tree kaitaiWorker.ts exportValue builds (noLazy: every evaluated instance
// after the fields of its object), in collectAllObjects order, each as [start, end] in the
// input (ioOffset + start, end exclusive) or null when it has no position.
function leaves(obj, debug, out) {
  const pos = debug && debug.start !== undefined && debug.end !== undefined
    ? [(debug.ioOffset || 0) + debug.start, (debug.ioOffset || 0) + debug.end] : null;
  if (obj instanceof Uint8Array || obj === null || typeof obj !== "object") {
    if (obj !== undefined) out.push(pos);
    return;
  }
  if (Array.isArray(obj)) {
    obj.forEach((item, i) => leaves(item, debug && debug.arr && debug.arr[i], out));
    return;
  }
  const names = new Set(Object.keys(obj));
  if (obj._debug) for (const k of Object.keys(obj._debug)) names.add(k);
  for (const k of names) {
    if (k[0] !== "_") leaves(obj[k], obj._debug && obj._debug[k], out);
  }
  if (obj.constructor !== Object) {
    for (const p of Object.getOwnPropertyNames(obj.constructor.prototype)) {
      if (p[0] === "_" || p === "constructor" || !Object.prototype.hasOwnProperty.call(obj, `_m_${p}`)) continue;
      leaves(obj[p], obj._debug && obj._debug[`_m_${p}`], out);
    }
  }
}

// parsedToTree.ts fillIntervals: a leaf that starts at or before the end of the last one
// taken is skipped; the gaps between those taken are "unparsed".
function unparsedJson(root) {
  const out = [];
  leaves(root, null, out);
  const taken = [];
  let lastEnd = -1;
  for (const p of out) {
    if (p === null) continue;
    const start = p[0], end = p[1] - 1;
    if (start <= lastEnd || start > end) continue;
    lastEnd = end;
    taken.push([start, end]);
  }
  const gaps = [];
  lastEnd = -1;
  for (const [start, end] of taken) {
    if (start !== lastEnd + 1) gaps.push([lastEnd + 1, start - 1]);
    lastEnd = end;
  }
  return { unparsed: gaps };
}

// The .ksy types by the class name the JS backend gives them (the IDE's ksyTypes).
function ksyTypesByClass(mainFile) {
  const types = new Map();
  const seen = new Set();
  const walkType = (name, t) => {
    types.set(jsName(name, false), t);
    for (const [sub, st] of Object.entries(t.types || {})) walkType(sub, st);
  };
  const walkFile = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const spec = loadKsy(file);
    walkType(spec.meta.id, spec);
    for (const imp of (spec.meta && spec.meta.imports) || []) walkFile(path.join(path.dirname(file), imp + ".ksy"));
  };
  walkFile(mainFile);
  return types;
}

// parsedToTree.ts primitiveToText(exported, false), as text: integers in hex (the enum's
// name for an enum field: kaitaiWorker.ts exportValue's enumStringValue), strings as they are.
function primitiveText(value, debug) {
  if (value instanceof Uint8Array) {
    const items = Array.from(value.slice(0, 8));
    return `[${items.join(", ")}${value.length > 8 ? ", ..." : ""}]`;
  }
  if (Number.isInteger(value)) {
    if (debug && debug.enumName) {
      let e = globalThis.__kaitaiRoot;
      const p = debug.enumName.split(".");
      p.unshift(p[0]);
      for (const k of p) e = e && e[k];
      if (e && e[value] !== undefined) return e[value];
    }
    return `${value < 0 ? "-" : ""}0x${Math.abs(value).toString(16).toUpperCase()}`;
  }
  return `${value}`;
}

// parsedToTree.ts reprObject: {path[:options]} replaced in the type's -webide-representation.
function reprObject(obj, types) {
  const t = obj && obj.constructor && types.get(obj.constructor.name);
  const repr = t && t["-webide-representation"];
  if (!repr) return "";
  return repr.replace(/{(.*?)}/g, (g0, g1) => {
    const parts = g1.split(":");
    const format = { sep: ", " };
    if (parts.length > 1) parts[1].split(",").map((x) => x.split("=")).forEach((kv) => { format[kv[0]] = kv.length > 1 ? kv[1] : true; });
    let cur = obj, debug = null;
    for (const k of parts[0].split(".")) {
      if (cur === null || cur === undefined || typeof cur !== "object") { cur = undefined; break; }
      const js = jsName(k, true);
      debug = cur._debug && (cur._debug[js] || cur._debug[`_m_${js}`]);
      cur = k === "this" ? cur : cur[js];
    }
    if (cur === undefined || cur === null) return "";
    if (Array.isArray(cur)) return cur.map((item) => reprObject(item, types)).join(format.sep);
    if (typeof cur === "object" && !(cur instanceof Uint8Array)) return reprObject(cur, types);
    if (format.dec && Number.isInteger(cur)) return `${cur}`;
    if (format.str && cur instanceof Uint8Array) return `"${Buffer.from(cur).toString("latin1")}"`;
    if (format.hex && cur instanceof Uint8Array) return Buffer.from(cur).toString("hex");
    return primitiveText(cur, debug);
  });
}

function recordsJson(root, names, maxArray) {
  const records = root.records || [];
  const arr = (root._debug && root._debug.records && root._debug.records.arr) || [];
  return records.map((rec, i) => {
    const fields = {};
    collectPrimitives(rec, "", fields, names, maxArray);
    return { ofs: arr[i] ? (arr[i].ioOffset || 0) + arr[i].start : null, fields };
  });
}

// Where the parse stopped, as the Web IDE tree shows it: follow the `_debug` entries that were
// started but never ended (or failed validation) down to the innermost one.
function failurePoint(root, names) {
  const path = [];
  let ofs = null;
  let obj = root;
  while (obj && typeof obj === "object" && obj._debug) {
    const debug = obj._debug;
    const key = Object.keys(debug).reverse().find((k) => {
      const d = debug[k];
      return d && (d.validationError || (d.start !== undefined && d.end === undefined));
    });
    if (key === undefined) break;
    const id = key.startsWith("_m_") ? key.slice(3) : key;
    path.push(names.get(id) || id);
    let d = debug[key];
    let value = obj[key];
    const i = d.arr ? d.arr.findIndex((a) => a && a.end === undefined) : -1;
    if (i >= 0) {
      path.push(i);
      d = d.arr[i];
      value = Array.isArray(value) ? value[i] : undefined;
    }
    ofs = (d.ioOffset || 0) + d.start;
    obj = value;
  }
  return path.length ? ` (at ${path.join(".")}, byte ${ofs})` : "";
}

function parseArgs(argv) {
  const opts = { ksy: null, js: null, maxArray: 64, stream: null, fields: [], values: [], reprs: [], unparsed: false, noUnparsed: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--ksy") opts.ksy = argv[++i];
    else if (a === "--js") opts.js = argv[++i];
    else if (a === "--max-array") opts.maxArray = Number(argv[++i]);
    else if (a === "--fields") opts.fields.push(argv[++i]);
    else if (a === "--value") opts.values.push(argv[++i]);
    else if (a === "--unparsed") opts.unparsed = true;
    else if (a === "--no-unparsed") opts.noUnparsed = true;
    else if (a === "--repr") opts.reprs.push(argv[++i]);
    else if (a.startsWith("-") || opts.stream !== null) throw new Error(USAGE);
    else opts.stream = a;
  }
  if (!opts.ksy || !opts.js || !opts.stream || !Number.isInteger(opts.maxArray)) throw new Error(USAGE);
  return opts;
}

function errorLine(e) {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.replace(/\s*\n\s*/g, " ");
}

function main(argv) {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    console.error(e.message);
    return 2;
  }
  let root, names, error;
  try {
    const spec = loadKsy(opts.ksy);
    names = ksyFieldNames(opts.ksy);
    const MainClass = loadMainClass(opts.js, jsName(spec.meta.id, false));
    const buf = fs.readFileSync(opts.stream);
    // A large file owns its ArrayBuffer; small ones sit in Node's shared pool and need a copy.
    const arrayBuffer = buf.byteOffset === 0 && buf.buffer.byteLength === buf.length
      ? buf.buffer : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    root = new MainClass(new KaitaiStream(arrayBuffer, 0));
    if (!root._debug) throw new Error(`${opts.js} was not compiled in debug mode (ksc.js --debug)`);
  } catch (e) {
    console.error(`webide_parse: ${opts.stream}: setup failed: ${errorLine(e)}`);
    return 1;
  }
  try {
    root._read();
  } catch (e) {
    error = e;
  }
  if (error === undefined) {
    try {
      evaluateAll(root, new Set());
    } catch (e) {
      error = e;
    }
  }
  let out;
  try {
    out = opts.unparsed ? unparsedJson(root)
      : opts.reprs.length ? reprJson(root, opts.reprs, ksyTypesByClass(opts.ksy))
      : opts.fields.length || opts.values.length
      ? fieldsJson(root, opts.fields, opts.values, names, opts.maxArray)
      : recordsJson(root, names, opts.maxArray);
  } catch (e) {
    if (error === undefined) error = e;
    out = [];
  }
  if (opts.noUnparsed && error === undefined) {
    const gaps = unparsedJson(root).unparsed;
    if (gaps.length) {
      error = new Error(`the Web IDE would show ${gaps.length} unparsed range(s), the first ` +
        `bytes ${gaps[0][0]}..${gaps[0][1]}`);
    }
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  if (error !== undefined) {
    let where = "";
    try {
      where = failurePoint(root, names);
    } catch (e) {
      // best effort only
    }
    console.error(`webide_parse: ${opts.stream}: ${errorLine(error)}${where}`);
    return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
