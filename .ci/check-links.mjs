// Checks that every relative link in the repository's Markdown files resolves: the file exists,
// and a #fragment names a heading of it (GitHub's anchor rules: lower case, spaces to dashes,
// punctuation dropped). External links (http, https, mailto) are not fetched.
//
//   node .ci/check-links.mjs            exit 1 and one line per broken link when any is broken
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const skip = new Set(['node_modules', 'target', '.git', 'data']);

function markdownFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) markdownFiles(path, out);
    else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

function anchors(file) {
  const out = new Set();
  const counts = new Map();
  let fenced = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    let slug = m[1].trim().toLowerCase()
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = counts.get(slug) ?? 0;
    counts.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

const broken = [];
let checked = 0;
for (const file of markdownFiles(root)) {
  let fenced = false;
  readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) return;
    for (const m of line.matchAll(/\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^(https?:|mailto:)/.test(target)) continue;
      checked++;
      const [path, fragment] = target.split('#');
      const dest = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      const where = `${relative(root, file)}:${i + 1}`;
      if (!existsSync(dest)) {
        broken.push(`${where}: ${target} (no such file)`);
      } else if (fragment && dest.endsWith('.md') && !anchors(dest).has(fragment)) {
        broken.push(`${where}: ${target} (no heading #${fragment})`);
      }
    }
  });
}
if (broken.length) {
  console.error(`[links] ${broken.length} broken of ${checked} relative links:`);
  for (const b of broken) console.error(`  ${b}`);
  process.exit(1);
}
console.log(`[links] all ${checked} relative links resolve`);
