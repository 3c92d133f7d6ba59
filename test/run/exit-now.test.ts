import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { mayExitNow } from '../../src/run/cli.js';

describe('mayExitNow: a finished run ends without winding node down only when nothing is pending', () => {
  it('leaves the watchdog, closed pipes, the terminal and signal listeners to the kernel, on Linux', () => {
    expect(mayExitNow([], 'linux')).toBe(true);
    expect(mayExitNow(['SimpleShutdownWrap', 'PipeWrap', 'PipeWrap', 'ProcessWrap'], 'linux')).toBe(true);
    expect(mayExitNow(['TTYWrap', 'SignalWrap'], 'linux')).toBe(true);
  });

  it('waits for a pending write, file operation, socket, lookup or timer', () => {
    for (const pending of [
      'WriteWrap',
      'FSReqCallback',
      'FileHandle',
      'TCPWRAP',
      'GetAddrInfoReqWrap',
      'Timeout',
      'Immediate',
    ])
      expect(mayExitNow(['PipeWrap', pending], 'linux'), pending).toBe(false);
  });

  it('never elsewhere: stdout and stderr pipes are written asynchronously on macOS and Windows', () => {
    expect(mayExitNow([], 'darwin')).toBe(false);
    expect(mayExitNow([], 'win32')).toBe(false);
  });

  it("reads node's own list of what is pending", async () => {
    const timer = setTimeout(() => {}, 60_000);
    expect(process.getActiveResourcesInfo()).toContain('Timeout');
    expect(mayExitNow(undefined, 'linux')).toBe(false);
    clearTimeout(timer);
    const reading = open('/proc/self/stat').then((f) => f.close());
    expect(mayExitNow(undefined, 'linux')).toBe(false);
    await reading;
  });
});
