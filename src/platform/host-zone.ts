/**
 * The host's time zone as its scheduler sees it: the one function every zone default goes through
 * (apply's render, plan, status, next, import). Cron and systemd run in the zone of
 * /etc/localtime, whatever `$TZ` the shell that ran `sched apply` had; rendering a crontab line in
 * that shell's zone made every cron-fired run late. The embedded daemon fires each job in the zone
 * its record names, which is the one resolved here at apply time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runtimeZoneName } from '../schedule/zoned.js';
import type { ZoneFiles } from './ports.js';

export interface HostZone {
  /** IANA zone name, as the JS runtime names it (what sched recorded before, e.g. `UTC`). */
  zone: string;
  /** Where it was read, for `plan` (`/etc/localtime`, `/etc/timezone`…). */
  source: string;
}

export const LOCALTIME = '/etc/localtime';
/** Debian's and Ubuntu's name file, beside a copied (not linked) /etc/localtime. */
export const TIMEZONE_FILE = '/etc/timezone';

/** `…/zoneinfo/Europe/Berlin` → `Europe/Berlin` (also `posix/` and `right/` trees, macOS' /var/db/timezone/zoneinfo). */
function zoneFromPath(target: string): string | undefined {
  const at = target.lastIndexOf('zoneinfo/');
  if (at < 0) return undefined;
  const name = target.slice(at + 'zoneinfo/'.length).replace(/^(posix|right)\//, '');
  return runtimeZoneName(name);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Resolves the host scheduler's zone: the /etc/localtime link's target; for a copied file, the
 * name in /etc/timezone, else the zone file with the same bytes; no /etc/localtime: UTC, as glibc
 * and systemd assume. Where there is no /etc/localtime convention (Windows), the runtime's zone.
 */
export function hostSchedulerZone(files: ZoneFiles = nodeZoneFiles()): HostZone {
  if (files.platform === 'win32') {
    return {
      zone: runtimeZoneName(files.runtimeZone() ?? '') ?? 'UTC',
      source: 'the Windows time zone setting',
    };
  }
  const link = files.readLink(LOCALTIME);
  if (link !== undefined) {
    const zone = zoneFromPath(link);
    if (zone) return { zone, source: LOCALTIME };
  }
  const bytes = files.readBytes(LOCALTIME);
  if (!bytes) return { zone: 'UTC', source: `no ${LOCALTIME}, so UTC` };
  const named = runtimeZoneName(
    new TextDecoder().decode(files.readBytes(TIMEZONE_FILE) ?? new Uint8Array()).trim(),
  );
  if (named) return { zone: named, source: TIMEZONE_FILE };
  // A copied zone file with no name beside it: find the zone whose file it is.
  const candidates = ['UTC', ...Intl.supportedValuesOf('timeZone')];
  for (const name of candidates) {
    const other = files.readBytes(path.join(files.zoneinfoDir, name));
    if (other && sameBytes(bytes, other)) return { zone: runtimeZoneName(name) ?? name, source: LOCALTIME };
  }
  return { zone: 'UTC', source: `${LOCALTIME} matches no zone in ${files.zoneinfoDir}, so UTC` };
}

/** {@link ZoneFiles} of this machine. */
export function nodeZoneFiles(env: NodeJS.ProcessEnv = process.env): ZoneFiles {
  return {
    platform: process.platform,
    zoneinfoDir: env.TZDIR || '/usr/share/zoneinfo',
    readLink(file) {
      try {
        return fs.readlinkSync(file);
      } catch {
        return undefined;
      }
    },
    readBytes(file) {
      try {
        return fs.readFileSync(file);
      } catch {
        return undefined;
      }
    },
    runtimeZone() {
      try {
        return new Intl.DateTimeFormat().resolvedOptions().timeZone;
      } catch {
        return undefined;
      }
    },
  };
}
