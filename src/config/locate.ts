/**
 * Finds the YAML node behind a JSON path, so that every problem is reported at the key or the
 * value at fault rather than at the top of the file.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export type PathSegment = string | number;

/** A resolved location: 1-based line and column, and the character offset in the source. */
export interface Position {
  offset: number;
  line: number;
  col: number;
}

export interface Located {
  /** The key node of the deepest pair found on the path (undefined at the root or in a list). */
  key?: Node;
  /** The deepest value node found. */
  value?: Node;
  /** True when the whole path was found. */
  complete: boolean;
}

function resolve(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) {
    try {
      return node.resolve(doc) as Node | undefined;
    } catch {
      return undefined;
    }
  }
  return (node ?? undefined) as Node | undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** The pair of a map whose key reads as `name`, if any. */
export function findPair(node: Node | undefined, name: string): Pair<Node, Node> | undefined {
  if (!isMap(node)) return undefined;
  for (const item of node.items as Pair<Node, Node>[]) if (keyText(item.key) === name) return item;
  return undefined;
}

/** Walks `path` through the document; stops at the deepest node that exists. */
export function locate(doc: Document, path: readonly PathSegment[]): Located {
  let value = resolve(doc, doc.contents);
  let key: Node | undefined;
  for (const seg of path) {
    if (isMap(value)) {
      const pair = findPair(value, String(seg));
      if (!pair) return { key, value, complete: false };
      key = pair.key ?? undefined;
      value = resolve(doc, pair.value) ?? undefined;
      if (value === undefined) return { key, value, complete: true };
    } else if (isSeq(value) && typeof seg === 'number') {
      const item = resolve(doc, value.items[seg]);
      if (!item) return { key, value, complete: false };
      key = undefined;
      value = item;
    } else {
      return { key, value, complete: false };
    }
  }
  return { key, value, complete: true };
}

/** Offset where a node's text starts, when it has a position in the source. */
export function nodeStart(node: Node | undefined): number | undefined {
  const range = node?.range;
  return range ? range[0] : undefined;
}

/** True for a value node that has no text of its own (`key:` followed by nothing). */
export function isEmptyNode(node: Node | undefined): boolean {
  if (!node) return true;
  if (isScalar(node) && node.value === null) {
    const r = node.range;
    return !r || r[0] === r[1] || node.source === '' || node.source === undefined;
  }
  return false;
}

export function toPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { offset, line, col };
}
