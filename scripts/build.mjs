/**
 * Compiles the server for `npm start`: every TypeScript file of server/ and
 * shared/ (tests excepted) to plain JavaScript in dist/, one file for one file,
 * and copies the other files the server reads at run time (SQL migrations,
 * translations, browser assets) beside them, so that paths taken from
 * `import.meta.url` hold in dist/ as in the sources. The server then runs on
 * plain node, without a TypeScript loader in the process (see docs/OPERATIONS.md,
 * "Memory"). Imports of packages stay imports (nothing is bundled).
 *
 * Plain JavaScript so that it runs before anything is compiled: `node scripts/build.mjs`.
 */
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['server', 'shared'];
export const DIST = path.join(ROOT, 'dist');

const isTest = (name) => /\.test\.tsx?$/.test(name);
const isSource = (name) => /\.tsx?$/.test(name) && !name.endsWith('.d.ts');

async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile() && !isTest(e.name)) out.push(p);
  }
  return out;
}

/** Builds dist/ afresh; resolves with the number of files compiled and copied. */
export async function buildServer() {
  const files = (await Promise.all(SOURCES.map((s) => walk(path.join(ROOT, s))))).flat();
  const sources = files.filter((f) => isSource(f));
  const others = files.filter((f) => !isSource(f));
  await rm(DIST, { recursive: true, force: true });
  await build({
    entryPoints: sources,
    outdir: DIST,
    outbase: ROOT,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  });
  for (const f of others) {
    const to = path.join(DIST, path.relative(ROOT, f));
    await mkdir(path.dirname(to), { recursive: true });
    await cp(f, to);
  }
  return { compiled: sources.length, copied: others.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  buildServer().then(
    ({ compiled, copied }) => console.log(`dist/: ${compiled} files compiled, ${copied} copied (${Math.round(performance.now() - t0)} ms)`),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
