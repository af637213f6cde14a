// Syntax check of mermaid diagrams, for coursesite/checks/mermaid.py (run: node mermaid_parse.mjs NODE_MODULES).
// Reads a JSON list of diagram texts on stdin and prints a JSON list, one entry per diagram:
// null when mermaid.parse accepts it, else {"message": ..., "line": N or null} (N: 1-based line inside the diagram).
// No browser: mermaid's parsers run in Node; DOMPurify, which needs a DOM and only sanitizes labels for
// rendering, is replaced by no-ops before mermaid loads (the same module instance mermaid imports).
import { pathToFileURL } from "node:url";
import path from "node:path";

const modules = process.argv[2] || path.resolve("node_modules");
const load = (rel) => import(pathToFileURL(path.join(modules, rel)).href);

const purify = (await load("dompurify/dist/purify.es.mjs")).default;
purify.addHook = purify.removeHook = purify.removeHooks = purify.removeAllHooks = () => {};
purify.sanitize = (text) => String(text);
const mermaid = (await load("mermaid/dist/mermaid.core.mjs")).default;
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    await mermaid.parse(text);
    results.push(null);
  } catch (err) {
    const message = String((err && err.message) || err);
    const m = /line (\d+)/.exec(message);
    results.push({ message, line: m ? Number(m[1]) : null });
  }
}
process.stdout.write(JSON.stringify(results));
