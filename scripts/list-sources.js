// Lists native sources for binding.gyp and CMakeLists.txt, so nobody edits a file list by hand.
//   node scripts/list-sources.js core     portable C++ of the CPU library (no N-API)
//   node scripts/list-sources.js addon    the N-API binding
//   node scripts/list-sources.js avx2     files built with AVX2+FMA flags (*_avx2.cc)
//   node scripts/list-sources.js avx512   files built with AVX-512 flags (*_avx512.cc)
//   node scripts/list-sources.js tests    native kernel tests
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const coreDirs = ['core', 'graph', 'ops', 'cpu', 'crf', 'io'];

function walk(dir) {
  const abs = path.join(root, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? walk(rel) : [rel];
  });
}

const isa = (f) => /_(avx2|avx512)\.cc$/.test(f);
const lists = {
  core: () => coreDirs.flatMap((d) => walk(`native/${d}`)).filter((f) => f.endsWith('.cc') && !isa(f)),
  addon: () => walk('native/addon').filter((f) => f.endsWith('.cc')),
  avx2: () => coreDirs.flatMap((d) => walk(`native/${d}`)).filter((f) => f.endsWith('_avx2.cc')),
  avx512: () => coreDirs.flatMap((d) => walk(`native/${d}`)).filter((f) => f.endsWith('_avx512.cc')),
  tests: () => walk('native/tests').filter((f) => f.endsWith('.cc')),
};

const which = process.argv[2];
if (!lists[which]) {
  console.error(`usage: list-sources.js ${Object.keys(lists).join('|')}`);
  process.exit(2);
}
const files = lists[which]().sort();
// CMake reads a ';'-separated list; gyp reads whitespace-separated words.
process.stdout.write(process.argv[3] === '--cmake' ? files.join(';') : files.join('\n'));
