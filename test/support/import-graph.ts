import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/*
 * The import graph of a source folder, read from the files' text: every relative `import`,
 * `export … from` and `import()` (types included: a circle of types is still a circle to
 * whoever must change one of its files).
 */

export type ImportGraph = Map<string, Set<string>>;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Files as paths relative to `root`, each with the files of `root` it imports. */
export function importGraph(root: string): ImportGraph {
  const files = sourceFiles(root);
  const known = new Set(files.map((file) => normalize(file)));
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set<string>();
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
      const target = normalize(join(dirname(file), match[1] ?? match[2] ?? ''));
      if (known.has(target)) targets.add(relative(root, target));
    }
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** Every import circle: the strongly connected groups of more than one file (Tarjan), or a file importing itself. */
export function importCircles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (file: string) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    for (;;) {
      const member = stack.pop() as string;
      onStack.delete(member);
      group.push(member);
      if (member === file) break;
    }
    if (group.length > 1 || graph.get(file)?.has(file)) circles.push(group.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return circles;
}

/** Pairs of top-level folders that import each other, each with one import either way as evidence. */
export function folderLoops(graph: ImportGraph): { folders: [string, string]; evidence: string[] }[] {
  const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0] : null);
  const edges = new Map<string, string>();
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from && to && from !== to && !edges.has(`${from}>${to}`)) edges.set(`${from}>${to}`, `${file} → ${target}`);
    }
  }
  const loops: { folders: [string, string]; evidence: string[] }[] = [];
  for (const [key, evidence] of edges) {
    const [from, to] = key.split('>') as [string, string];
    const back = edges.get(`${to}>${from}`);
    if (back && from < to) loops.push({ folders: [from, to], evidence: [evidence, back] });
  }
  return loops;
}

/**
 * Imports from the kernel's files into the features' folders (`file -> import`): the kernel
 * must name no feature. `kernel`: files and folders (ending in '/') that make the kernel.
 */
export function kernelCrossings(graph: ImportGraph, kernel: readonly string[], featureFolders: readonly string[]): string[] {
  const inKernel = (file: string) => kernel.some((part) => (part.endsWith('/') ? file.startsWith(part) : file === part));
  const inFeature = (file: string) => featureFolders.some((folder) => file.startsWith(`${folder}/`));
  const crossings: string[] = [];
  for (const [file, imports] of graph) {
    if (!inKernel(file)) continue;
    for (const target of imports) if (inFeature(target)) crossings.push(`${file} -> ${target}`);
  }
  return crossings.sort();
}
