/**
 * Services take what they need from their caller: they do not print (the command decides where
 * output goes), read process.argv (the command line is given to them) or install signal handlers
 * (a SignalSource is given to them), and never end the process. A grep over src/services/ keeps
 * it so; a planted line proves the grep can see each pattern.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVICES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/services');

/** What a service must not touch, with why, for the failure message. */
const FORBIDDEN: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /\bprocess\.(stdout|stderr)\b/, why: 'prints: take an output stream or a write function' },
  { pattern: /\bconsole\.\w+/, why: 'prints: return the text, or take a write function' },
  { pattern: /\bprocess\.argv\b/, why: 'reads argv: take the command line (HostSettings.commandLine)' },
  {
    pattern: /\bprocess\.(on|once|off|addListener|prependListener|removeListener)\s*\(/,
    why: 'installs a process handler: take a SignalSource (src/platform/signals.ts)',
  },
  { pattern: /\bprocess\.(exit|exitCode)\b/, why: 'ends the process: return a code to the command' },
];

/**
 * Deliberate exceptions, `file: reason`. Empty: every service is clean. An entry here must say
 * why the service cannot take the thing from its caller.
 */
const ALLOWED: Readonly<Record<string, string>> = {};

function violations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const { pattern, why } of FORBIDDEN) {
      if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim()}  — ${why}`);
    }
  });
  return found;
}

function serviceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return serviceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('services are pure of the process (no printing, argv, signal handlers or exit)', () => {
  it('no file in src/services/ prints, reads process.argv, installs a handler or exits', () => {
    const files = serviceFiles(SERVICES);
    expect(files.length).toBeGreaterThan(10);
    const found = files
      .map((f) => path.relative(SERVICES, f))
      .filter((rel) => !(rel in ALLOWED))
      .flatMap((rel) => violations(rel, fs.readFileSync(path.join(SERVICES, rel), 'utf8')));
    expect(found).toEqual([]);
  });

  it('sees each forbidden pattern in a planted line, and not its look-alikes', () => {
    const planted = [
      "process.stdout.write('x');",
      'console.error(e);',
      'const args = process.argv.slice(2);',
      "process.on('SIGTERM', stop);",
      "process.once('SIGINT', stop);",
      'process.exit(1);',
      'process.exitCode = 2;',
    ];
    for (const line of planted) expect(violations('planted.ts', line), line).toHaveLength(1);
    const fine = [
      'const env = opts.env ?? process.env;',
      'spawn(process.execPath, args);',
      'io.stdout.write(x);',
      // Signalling a child the service started is its own business, not the process's.
      "process.kill(-child.pid, 'SIGKILL');",
    ];
    for (const line of fine) expect(violations('planted.ts', line), line).toEqual([]);
  });

  it('allows nothing that is not there (a stale allow-list entry is removed)', () => {
    for (const file of Object.keys(ALLOWED))
      expect(fs.existsSync(path.join(SERVICES, file)), file).toBe(true);
  });
});
