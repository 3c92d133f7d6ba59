/**
 * A fake Windows Task Scheduler behind the Runner port: it keeps tasks by path and answers
 * `schtasks` the way the real one does (outputs from test/fixtures/transcripts/schtasks-*.json).
 * Like Windows, it stores a task re-serialised: Date/Author/UserId added, default settings
 * spelled out, elements reordered and re-indented, comments dropped.
 */
import { readFileSync } from 'node:fs';
import type { RunOptions, RunResult, Runner } from '../../../src/platform/ports.js';
import { decodeTaskXml } from '../../../src/backends/windows/index.js';
import { XMLValidator } from 'fast-xml-parser';
import { parseTaskNodes } from '../../../src/backends/windows/normalize.js';
import { replay, transcript } from '../../fakes/transcripts.js';

const fill = replay;

/** What Windows does to a task it registers: a plausible re-serialisation (see file comment). */
export function windowsReserialise(xml: string): string {
  let s = xml.replace(/<!--[\s\S]*?-->/g, '');
  s = s.replace(
    '<RegistrationInfo>',
    '<RegistrationInfo>\r\n    <Date>2026-11-22T03:30:00.1234567</Date>\r\n    <Author>DESKTOP-1\\ada</Author>',
  );
  s = s.replace(
    /<Principal id="Author">/,
    '<Principal id="Author">\r\n      <UserId>S-1-5-21-1004336348-1177238915-682003330-1001</UserId>',
  );
  s = s.replace(
    /<(CalendarTrigger|TimeTrigger|BootTrigger|EventTrigger)>/g,
    '<$1>\r\n      <Enabled>true</Enabled>',
  );
  s = s.replace(/<BootTrigger \/>/g, '<BootTrigger>\r\n      <Enabled>true</Enabled>\r\n    </BootTrigger>');
  // Settings: defaults spelled out, in Windows' order.
  s = s.replace(
    '<Settings>',
    '<Settings>\r\n    <AllowHardTerminate>true</AllowHardTerminate>\r\n    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>\r\n    <IdleSettings>\r\n      <StopOnIdleEnd>true</StopOnIdleEnd>\r\n      <RestartOnIdle>false</RestartOnIdle>\r\n    </IdleSettings>\r\n    <AllowStartOnDemand>true</AllowStartOnDemand>\r\n    <Enabled>true</Enabled>\r\n    <Hidden>false</Hidden>\r\n    <RunOnlyIfIdle>false</RunOnlyIfIdle>\r\n    <WakeToRun>false</WakeToRun>\r\n    <Priority>7</Priority>',
  );
  // Windows writes these even at their defaults.
  if (!s.includes('<MultipleInstancesPolicy>'))
    s = s.replace(
      '<Settings>',
      '<Settings>\r\n    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    );
  if (!s.includes('<StartWhenAvailable>'))
    s = s.replace('<Settings>', '<Settings>\r\n    <StartWhenAvailable>false</StartWhenAvailable>');
  if (!s.includes('<RunLevel>'))
    s = s.replace('<LogonType>', '<RunLevel>LeastPrivilege</RunLevel>\r\n      <LogonType>');
  s = s.replace(/<Monday \/>/g, '<Monday></Monday>');
  s = s.replace(
    /<ExecutionTimeLimit>PT0S<\/ExecutionTimeLimit>/,
    '<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
  );
  s = s
    .replace(/\n/g, '\r\n')
    .replace(/\r\r\n/g, '\r\n')
    .replace(/^ {2}/gm, '\t');
  return s;
}

export interface FakeTaskSchedulerOptions {
  /** Every command fails with "Access is denied." */
  accessDenied?: boolean;
}

export class FakeTaskScheduler implements Runner {
  /** Registered tasks by path (as Windows stores them, re-serialised). */
  readonly tasks = new Map<string, string>();
  readonly calls: string[][] = [];
  /** Runs started with /Run. */
  readonly started: string[] = [];
  constructor(public options: FakeTaskSchedulerOptions = {}) {}

  async run(command: string, args: readonly string[], _options?: RunOptions): Promise<RunResult> {
    this.calls.push([command, ...args]);
    if (command !== 'schtasks') throw Object.assign(new Error(`spawn ${command} ENOENT`), { code: 'ENOENT' });
    if (this.options.accessDenied) return fill(transcript('schtasks-access-denied'), {});
    const a = [...args];
    const opt = (flag: string): string | undefined => {
      const i = a.findIndex((x) => x.toLowerCase() === flag.toLowerCase());
      return i >= 0 ? a[i + 1] : undefined;
    };
    const has = (flag: string): boolean => a.some((x) => x.toLowerCase() === flag.toLowerCase());
    const tn = opt('/TN');
    const key = (n: string): string | undefined =>
      [...this.tasks.keys()].find((k) => k.toLowerCase() === n.toLowerCase());
    if (has('/Create')) {
      const file = opt('/XML')!;
      const bytes = readFileSync(file);
      const text = decodeTaskXml(bytes);
      let ok =
        bytes[0] === 0xff && bytes[1] === 0xfe && /^<\?xml version="1.0" encoding="UTF-16"\?>/.test(text);
      try {
        if (XMLValidator.validate(text) !== true || !parseTaskNodes(text).some((n) => 'Task' in n))
          ok = false;
      } catch {
        ok = false;
      }
      if (!ok) return fill(transcript('schtasks-create-malformed'), {});
      const existing = key(tn!);
      if (existing && !has('/F')) return fill(transcript('schtasks-create-exists'), { name: tn! });
      if (existing) this.tasks.delete(existing);
      this.tasks.set(tn!, windowsReserialise(text));
      return fill(transcript('schtasks-create-ok'), { name: tn! });
    }
    if (has('/Delete')) {
      const k = key(tn!);
      if (!k) return fill(transcript('schtasks-not-found'), {});
      this.tasks.delete(k);
      return fill(transcript('schtasks-delete-ok'), { name: tn! });
    }
    if (has('/Run')) {
      const k = key(tn!);
      if (!k) return fill(transcript('schtasks-not-found'), {});
      this.started.push(k);
      return fill(transcript('schtasks-run-ok'), { name: tn! });
    }
    if (has('/Query') && has('/XML')) {
      if (tn) {
        const k = key(tn);
        if (!k) return fill(transcript('schtasks-not-found'), {});
        return { exitCode: 0, stdout: this.tasks.get(k)!, stderr: '' };
      }
      const body = [...this.tasks.entries()]
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([name, xml]) => `  <!-- ${name} -->\r\n${xml.replace(/^<\?xml[^>]*\?>\s*/, '')}`)
        .join('\r\n');
      return {
        exitCode: 0,
        stdout: `<?xml version="1.0" encoding="UTF-16"?>\r\n<Tasks>\r\n${body}\r\n</Tasks>\r\n`,
        stderr: '',
      };
    }
    if (has('/Query')) return { exitCode: 0, stdout: '', stderr: '' };
    return {
      exitCode: 1,
      stdout: '',
      stderr: `ERROR: Invalid argument/option - '${a[0] ?? ''}'.\r\nType "SCHTASKS /?" for usage.\r\n`,
    };
  }
}
