/**
 * The process's signals as a port: services take a {@link SignalSource} from their caller (a
 * command, the `sched run` fast path) instead of installing handlers on `process` themselves,
 * so they can be driven by a test and never leave a handler behind in a host program.
 */

/** Delivers the named signals to a listener until the returned function is called. */
export interface SignalSource {
  listen(signals: readonly NodeJS.Signals[], listener: (signal: NodeJS.Signals) => void): () => void;
}

/** The real process's signals (`process.on` / `process.off`). */
export const processSignals: SignalSource = {
  listen(signals, listener) {
    for (const s of signals) process.on(s, listener);
    return () => {
      for (const s of signals) process.off(s, listener);
    };
  },
};
