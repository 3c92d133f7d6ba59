/**
 * A signal source for services that take one (src/platform/signals.ts): `send` delivers a signal
 * to the listeners of that moment, as the process would; `listening` tells whether any is left.
 */
import { PassThrough } from 'node:stream';
import type { SignalSource } from '../../src/platform/signals.js';

export class FakeSignals implements SignalSource {
  private readonly listeners = new Set<{
    signals: readonly NodeJS.Signals[];
    listener: (signal: NodeJS.Signals) => void;
  }>();

  listen(signals: readonly NodeJS.Signals[], listener: (signal: NodeJS.Signals) => void): () => void {
    const entry = { signals, listener };
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  /** Delivers `signal` to every listener of it; false when nobody listens. */
  send(signal: NodeJS.Signals): boolean {
    const targets = [...this.listeners].filter((l) => l.signals.includes(signal));
    for (const t of targets) t.listener(signal);
    return targets.length > 0;
  }

  /** How many listeners of `signal` are subscribed now. */
  listening(signal: NodeJS.Signals): number {
    return [...this.listeners].filter((l) => l.signals.includes(signal)).length;
  }
}

/** The caller's side of `runCommand` for a test: fake signals, output to streams nobody reads. */
export function testRunIo(
  overrides: Partial<{
    signals: SignalSource;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
  }> = {},
) {
  return {
    signals: overrides.signals ?? new FakeSignals(),
    stdout: overrides.stdout ?? new PassThrough().resume(),
    stderr: overrides.stderr ?? new PassThrough().resume(),
  };
}
