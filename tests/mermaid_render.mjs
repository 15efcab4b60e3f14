// Render Mermaid diagrams with the real @mermaid-js/mermaid-cli, in one browser.
//
// usage: node mermaid_render.mjs NODE_MODULES CHROMIUM diagrams.json > results.json
// diagrams.json: a JSON array of diagram texts; results.json: one entry per
// diagram, {"svg": "..."} or {"error": "..."} (mermaid's parse or render error).
// mmdc itself renders one file per browser start (~5 s here); the tests render
// dozens of diagrams, so this drives the same renderMermaid() that mmdc calls,
// with the same headless Chromium, once. The tests' diagrams are large: mermaid's
// limits (maxTextSize 50,000 characters, maxEdges 500) are raised for them.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, chromium, input] = process.argv.slice(2);
const require = createRequire(join(nodeModules, "noop.js"));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);
const { renderMermaid } = await load("@mermaid-js/mermaid-cli");
const puppeteer = (await load("puppeteer")).default;

const diagrams = JSON.parse(readFileSync(input, "utf8"));
// as root, Chromium needs --no-sandbox; the rest keeps it off this machine's closed network
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: "shell",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const results = [];
try {
  for (const text of diagrams) {
    try {
      const { data } = await renderMermaid(browser, text, "svg", { mermaidConfig: { maxEdges: 5000, maxTextSize: 1000000 } });
      results.push({ svg: new TextDecoder().decode(data) });
    } catch (error) {
      results.push({ error: String(error && error.message ? error.message : error) });
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
