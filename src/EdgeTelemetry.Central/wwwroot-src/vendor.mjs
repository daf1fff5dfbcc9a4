// Copies uPlot's built files (and its licence) from node_modules into ../wwwroot/vendor/uplot.
// Run after `npm ci`: `npm run vendor`. The copies are committed; node_modules is not.
import { copyFileSync, mkdirSync } from "node:fs";

const to = new URL("../wwwroot/vendor/uplot/", import.meta.url);
mkdirSync(to, { recursive: true });
for (const file of ["dist/uPlot.iife.min.js", "dist/uPlot.min.css", "LICENSE"]) {
  copyFileSync(new URL(`node_modules/uplot/${file}`, import.meta.url), new URL(file.split("/").pop(), to));
}
console.log("vendored uPlot into", to.pathname);
