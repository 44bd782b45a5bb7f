// Bundles the console: src/main.js (with cytoscape and uPlot) into OUT/app.js, src/app.css
// and uPlot's stylesheet into OUT/app.css, and copies src/index.html. Usage: node build.mjs OUT
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs OUTPUT_FOLDER');
  process.exit(64);
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  outfile: join(out, 'app.js'),
  legalComments: 'eof',
  logLevel: 'warning',
});
writeFileSync(join(out, 'app.css'),
  readFileSync('node_modules/uplot/dist/uPlot.min.css', 'utf8') + '\n' + readFileSync('src/app.css', 'utf8'));
copyFileSync('src/index.html', join(out, 'index.html'));
