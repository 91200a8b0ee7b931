// Browser tests: playwright-core drives Debian's chromium (no browser download) against the
// real server started by tests/run.py (PB_BASE, PB_ADMIN_EMAIL, PB_ADMIN_PASSWORD, PB_DATA_DIR).
// Each file in areas/ registers the tests of one area (lib.mjs holds the harness and the
// strict per-page check); they run in file order. Prints "ok   NAME" or "FAIL NAME" per test
// and "N passed, N failed" at the end. PB_BROWSER_ONLY="A|B" runs only the tests whose name
// holds A or B.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runAll } from "./lib.mjs";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "areas");
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".mjs")).sort())
  await import(pathToFileURL(path.join(dir, f)).href);
process.exit(await runAll() ? 1 : 0);
