/**
 * Which version and help requests the fast path answers without oclif (src/cli/fast-info.ts),
 * and that it leaves every other form and environment to oclif. Whether its answers are oclif's,
 * byte for byte, is test/cli/help-fast-path.slow.test.ts (on the built CLI).
 */
import { describe, expect, it } from 'vitest';
import { infoOutput, type HelpCache, type InfoContext } from '../../src/cli/fast-info.js';

const cache: HelpCache = {
  format_version: 1,
  columns: 80,
  userAgentMark: '\u0000UA\u0000',
  root: 'ROOT\nVERSION\n  \u0000UA\u0000\n',
  commands: { plan: 'PLAN HELP\n', run: 'RUN HELP\n', version: 'VERSION HELP\n' },
};
const ctx = (over: Partial<InfoContext> = {}): InfoContext => ({
  env: { PATH: '/usr/bin' },
  stdoutIsTTY: false,
  userAgent: () => 'sched/1.2.3 linux-x64 node-v20.0.0',
  helpCache: () => cache,
  ...over,
});

describe('infoOutput', () => {
  it.each([[['--version']], [['-v']], [['version']], [['-v', 'anything']]])('%j: the user agent', (argv) => {
    expect(infoOutput(argv, ctx())).toBe('sched/1.2.3 linux-x64 node-v20.0.0\n');
  });

  it.each([[[]], [['--help']], [['-h']], [['help']]])('%j: the root help, with the user agent', (argv) => {
    expect(infoOutput(argv, ctx())).toBe('ROOT\nVERSION\n  sched/1.2.3 linux-x64 node-v20.0.0\n');
  });

  it.each([[['help', 'plan']], [['plan', '--help']], [['plan', '-h']]])('%j: the command help', (argv) => {
    expect(infoOutput(argv, ctx())).toBe('PLAN HELP\n');
  });

  it('`sched version --help` is the help of version, not the version', () => {
    expect(infoOutput(['version', '--help'], ctx())).toBe('VERSION HELP\n');
  });

  it.each([
    [['help', 'nope']], // oclif names the unknown command
    [['nope', '--help']],
    [['plan', '--json', '--help']], // forms with more words: oclif
    [['help', 'plan', 'extra']],
    [['version', 'extra']],
    [['--', '--help']],
    [['-x', '--help']],
    [['help', 'constructor']], // never a property of the object
    [['plan']],
  ])('%j: left to oclif', (argv) => {
    expect(infoOutput(argv, ctx())).toBeUndefined();
  });

  it.each([
    ['a terminal', { stdoutIsTTY: true }],
    ['OCLIF_COLUMNS', { env: { OCLIF_COLUMNS: '120' } }],
    ['FORCE_COLOR', { env: { FORCE_COLOR: '1' } }],
    ['CI', { env: { CI: 'true' } }],
    ['COLORTERM', { env: { COLORTERM: 'truecolor' } }],
    ['TeamCity', { env: { TEAMCITY_VERSION: '1' } }],
    ['no help cache', { helpCache: () => undefined }],
    ['a cache for another width', { helpCache: () => ({ ...cache, columns: 100 }) }],
  ] as Array<[string, Partial<InfoContext>]>)('help with %s: left to oclif', (_, over) => {
    expect(infoOutput(['plan', '--help'], ctx(over))).toBeUndefined();
    // The version line does not depend on the terminal.
    if (!('helpCache' in over)) expect(infoOutput(['--version'], ctx(over))).toBeDefined();
  });

  it('NO_COLOR keeps the help plain even where colour would be on', () => {
    expect(infoOutput(['plan', '--help'], ctx({ env: { CI: 'true', NO_COLOR: '1' } }))).toBe('PLAN HELP\n');
  });

  it('WSL (oclif names the platform wsl): left to oclif', () => {
    expect(infoOutput(['--version'], ctx({ userAgent: () => undefined }))).toBeUndefined();
    expect(infoOutput(['--help'], ctx({ userAgent: () => undefined }))).toBeUndefined();
  });
});
