/**
 * A host's /etc/localtime for tests ({@link ZoneFiles}): the host scheduler's zone is whatever
 * this says, whatever `$TZ` the test process has.
 */
import type { ZoneFiles } from '../../src/platform/ports.js';

export interface FakeZoneHost {
  /** Target of the /etc/localtime link (`/usr/share/zoneinfo/Europe/Berlin`); absent: not a link. */
  localtimeLink?: string;
  /** Bytes of the files that exist (a copied /etc/localtime, /etc/timezone, zone files). */
  files?: Record<string, Uint8Array | string>;
  platform?: NodeJS.Platform;
  runtimeZone?: string;
}

export function fakeZoneFiles(host: FakeZoneHost): ZoneFiles {
  const files = host.files ?? {};
  return {
    platform: host.platform ?? 'linux',
    zoneinfoDir: '/usr/share/zoneinfo',
    readLink: (file) => (file === '/etc/localtime' ? host.localtimeLink : undefined),
    readBytes(file) {
      if (file === '/etc/localtime' && host.localtimeLink && !(file in files)) {
        const target = files[host.localtimeLink];
        return typeof target === 'string' ? new TextEncoder().encode(target) : target;
      }
      const v = files[file];
      return typeof v === 'string' ? new TextEncoder().encode(v) : v;
    },
    runtimeZone: () => host.runtimeZone,
  };
}

/** A Linux host whose /etc/localtime links to `zone`. */
export function hostInZone(zone: string): ZoneFiles {
  return fakeZoneFiles({ localtimeLink: `/usr/share/zoneinfo/${zone}` });
}
