#!/usr/bin/env node
// Command-line front end for the pinned JavaScript build of kaitai-struct-compiler,
// the same build the Kaitai Web IDE runs.
//
//   node ksc.js --target LANG --outdir DIR [--debug] FILE.ksy
//   node ksc.js --all-targets DIR FILE.ksy      (writes DIR/<lang>/..., one line per target)
//
// The JS API compile(lang, ksyObject, importer, debug) fixes the rest of the compiler's
// RuntimeConfig (see MainJs.compile in kaitai-struct-compiler.js): there is no way to set
// --python-package, Java package, C++ standard, etc. --python-package is therefore refused.
"use strict";

const fs = require("fs");
const path = require("path");
const yaml = require("js-yaml");
const compiler = require("kaitai-struct-compiler");

// Targets whose failure --all-targets reports but does not count as an error: diagrams,
// HTML docs and the legacy Python `construct` backend, none of which we promise.
const OPTIONAL_TARGETS = new Set(["graphviz", "html", "construct"]);

const USAGE =
  "usage: ksc.js --target LANG --outdir DIR [--debug] FILE.ksy\n" +
  "       ksc.js --all-targets DIR FILE.ksy\n" +
  "languages: " + compiler.languages.join(", ");

class KscError extends Error {}

// The Web IDE parses .ksy with the YAML 1.2 core schema; so do we.
function loadKsy(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new KscError(e.message);
  }
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (e) {
    throw new KscError(`YAML: ${e.reason} at line ${e.mark.line + 1}, column ${e.mark.column + 1}`);
  }
}

// `imports:` entries are resolved relative to the main .ksy's folder (the API does not
// say which file is importing; our imported files sit beside the main one).
// Absolute imports ("/common/foo") would come from the formats library, which we do not ship.
function makeImporter(mainFile) {
  const base = path.dirname(mainFile);
  return {
    importYaml(name, mode) {
      if (mode === "abs") {
        return Promise.reject(new Error(`absolute import '${name}' is not supported (no formats library)`));
      }
      try {
        return Promise.resolve(loadKsy(path.join(base, name + ".ksy")));
      } catch (e) {
        return Promise.reject(new Error(`import '${name}': ${e.message}`));
      }
    },
  };
}

// Compiler exceptions are Scala.js Throwables: `message` holds "spec: /path/in/ksy:\n\terror: ...".
// Some come wrapped ("Boxed Exception"); the cause sits in the Throwable's cause field
// (jl_Throwable__f_e in this pinned build), and its toString names the Scala exception.
function errorText(e) {
  const parts = [];
  for (let x = e, depth = 0; x && depth < 5; x = x.jl_Throwable__f_e, depth++) {
    const text = depth === 0 ? (x.message || String(x)) : String(x);
    if (text !== "Boxed Exception") parts.push(text);
  }
  return (parts.join(": ") || String(e)).replace(/\s*\n\s*/g, " ").trim();
}

async function compileTo(lang, ksy, importer, debug, outdir) {
  let files;
  try {
    files = await compiler.compile(lang, ksy, importer, debug);
  } catch (e) {
    throw new KscError(errorText(e));
  }
  const written = [];
  for (const name of Object.keys(files).sort()) {
    const dest = path.join(outdir, name);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, files[name]);
    written.push(dest);
  }
  return written;
}

function parseArgs(argv) {
  const opts = { debug: false, target: null, outdir: null, allTargets: null, file: null };
  const value = (i) => {
    if (i + 1 >= argv.length) throw new KscError(`${argv[i]} needs a value\n${USAGE}`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--target") opts.target = value(i++);
    else if (a === "--outdir") opts.outdir = value(i++);
    else if (a === "--all-targets") opts.allTargets = value(i++);
    else if (a === "--debug") opts.debug = true;
    else if (a === "--python-package") {
      throw new KscError("--python-package cannot be honoured: the compiler's JS API has no setting " +
        "for it (RuntimeConfig.pythonPackage is fixed to \"\" in MainJs.compile)");
    } else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith("-")) throw new KscError(`unknown option ${a}\n${USAGE}`);
    else if (opts.file === null) opts.file = a;
    else throw new KscError(`only one .ksy file is accepted\n${USAGE}`);
  }
  if (opts.file === null) throw new KscError(`no .ksy file given\n${USAGE}`);
  if (opts.allTargets === null) {
    if (!opts.target || !opts.outdir) throw new KscError(`--target and --outdir are required\n${USAGE}`);
    if (!compiler.languages.includes(opts.target)) {
      throw new KscError(`unknown target '${opts.target}'; languages: ${compiler.languages.join(", ")}`);
    }
  }
  return opts;
}

async function main(argv) {
  let file = null;
  try {
    const opts = parseArgs(argv);
    file = opts.file;
    const ksy = loadKsy(file);
    const importer = makeImporter(file);
    if (opts.allTargets === null) {
      await compileTo(opts.target, ksy, importer, opts.debug, opts.outdir);
      return 0;
    }
    let failed = 0;
    for (const lang of compiler.languages) {
      const t0 = Date.now();
      try {
        const written = await compileTo(lang, ksy, importer, opts.debug, path.join(opts.allTargets, lang));
        const names = written.map((w) => path.relative(opts.allTargets, w)).join(" ");
        console.log(`ok ${lang} ${Date.now() - t0}ms ${names}`);
      } catch (e) {
        const optional = OPTIONAL_TARGETS.has(lang);
        if (!optional) failed++;
        console.log(`${optional ? "optional-fail" : "FAIL"} ${lang}: ${e.message}`);
      }
    }
    if (failed) console.error(`ksc: ${file}: ${failed} target(s) failed`);
    return failed ? 1 : 0;
  } catch (e) {
    if (!(e instanceof KscError)) throw e;
    console.error(file === null ? `ksc: ${e.message}` : `ksc: ${file}: ${e.message}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((rc) => process.exit(rc), (e) => {
  console.error(`ksc: internal error: ${e && e.stack || e}`);
  process.exit(2);
});
