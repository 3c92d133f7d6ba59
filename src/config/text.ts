/**
 * Byte-level checks before YAML sees the file: a binary file, UTF-16/32, or bytes that are not
 * UTF-8 are reported at their position instead of as a confusing parse error.
 */

export interface ByteProblem {
  line: number;
  col: number;
  code: string;
  message: string;
  hint?: string;
}

/** Line and column (1-based) of byte `offset`, counting characters of the valid prefix. */
function positionOf(bytes: Uint8Array, offset: number): { line: number; col: number } {
  const prefix = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, offset));
  const lines = prefix.split(/\r\n|\r|\n/);
  return { line: lines.length, col: (lines[lines.length - 1] ?? '').length + 1 };
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Decodes the file as UTF-8 text, or says precisely why it cannot be a schedules file. */
export function checkBytes(bytes: Uint8Array): { text: string } | { problem: ByteProblem; text?: string } {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    return {
      problem: {
        line: 1,
        col: 1,
        code: 'encoding',
        message: 'the file is UTF-16, not UTF-8',
        hint: 'save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)',
      },
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = positionOf(bytes, nul);
    return {
      problem: {
        line,
        col,
        code: 'binary-file',
        message: 'the file contains a NUL byte: it looks like a binary file, not YAML',
        hint: 'check that -f points at your schedules.yaml',
      },
    };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const { line, col } = positionOf(bytes, bad);
    return {
      problem: {
        line,
        col,
        code: 'encoding',
        message: `the file is not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')})`,
        hint: 'save it as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8)',
      },
      text: new TextDecoder('utf-8', { fatal: false }).decode(bytes),
    };
  }
  let text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  // A UTF-8 BOM is harmless: drop it so column 1 is the first real character.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}
