/**
 * The host scheduler's zone (issue 11, item 2): read where cron and systemd read it, never from
 * the `$TZ` of the shell that runs sched.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostSchedulerZone, nodeZoneFiles } from '../../src/platform/host-zone.js';
import { runtimeZoneName } from '../../src/schedule/zoned.js';
import { fakeZoneFiles, hostInZone } from '../fakes/zone-files.js';

const BERLIN_BYTES = 'TZif2 pretend Berlin';
const KOLKATA_BYTES = 'TZif2 pretend Kolkata';

describe('hostSchedulerZone', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is the /etc/localtime link target, whatever $TZ says', () => {
    vi.stubEnv('TZ', 'Asia/Kolkata');
    expect(hostSchedulerZone(hostInZone('Europe/Berlin'))).toEqual({
      zone: 'Europe/Berlin',
      source: '/etc/localtime',
    });
  });

  it('names zones as the runtime does (what sched recorded before): Etc/UTC is UTC', () => {
    expect(hostSchedulerZone(hostInZone('Etc/UTC')).zone).toBe('UTC');
    expect(hostSchedulerZone(hostInZone('US/Pacific')).zone).toBe('America/Los_Angeles');
  });

  it('reads relative links, the posix/ tree and macOS /var/db/timezone links', () => {
    const zone = (link: string) => hostSchedulerZone(fakeZoneFiles({ localtimeLink: link })).zone;
    expect(zone('../usr/share/zoneinfo/America/New_York')).toBe('America/New_York');
    expect(zone('/usr/share/zoneinfo/posix/Europe/Paris')).toBe('Europe/Paris');
    expect(zone('/var/db/timezone/zoneinfo/Asia/Tokyo')).toBe('Asia/Tokyo');
  });

  it('a copied /etc/localtime: the name in /etc/timezone', () => {
    const files = fakeZoneFiles({
      files: { '/etc/localtime': BERLIN_BYTES, '/etc/timezone': 'Europe/Berlin\n' },
    });
    expect(hostSchedulerZone(files)).toEqual({ zone: 'Europe/Berlin', source: '/etc/timezone' });
  });

  it('a copied /etc/localtime with no name beside it: the zone file with the same bytes', () => {
    const files = fakeZoneFiles({
      files: {
        '/etc/localtime': KOLKATA_BYTES,
        '/usr/share/zoneinfo/Europe/Berlin': BERLIN_BYTES,
        '/usr/share/zoneinfo/Asia/Calcutta': KOLKATA_BYTES,
      },
      runtimeZone: 'America/Chicago', // what $TZ would make the runtime say: not used
    });
    expect(hostSchedulerZone(files)).toEqual({ zone: 'Asia/Calcutta', source: '/etc/localtime' });
  });

  it('no /etc/localtime: UTC, as glibc and systemd assume', () => {
    expect(hostSchedulerZone(fakeZoneFiles({ runtimeZone: 'Asia/Tokyo' }))).toEqual({
      zone: 'UTC',
      source: 'no /etc/localtime, so UTC',
    });
  });

  it('Windows: the runtime zone (Task Scheduler uses the system setting)', () => {
    const files = fakeZoneFiles({ platform: 'win32', runtimeZone: 'Europe/Berlin' });
    expect(hostSchedulerZone(files).zone).toBe('Europe/Berlin');
  });

  it('on this machine: the zone /etc/localtime names, the same with any $TZ', () => {
    const plain = hostSchedulerZone(nodeZoneFiles({}));
    vi.stubEnv('TZ', plain.zone === 'Asia/Calcutta' ? 'Europe/Berlin' : 'Asia/Kolkata');
    expect(hostSchedulerZone(nodeZoneFiles(process.env))).toEqual(plain);
    expect(hostSchedulerZone()).toEqual(plain);
  });
});

describe('runtimeZoneName', () => {
  const byDateTimeFormat = (zone: string) =>
    new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;

  it('names every zone of the runtime, and the aliases, exactly as a DateTimeFormat does', () => {
    const zones = [
      ...Intl.supportedValuesOf('timeZone'),
      ...['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Zulu', 'Etc/GMT0', 'Greenwich', 'UCT'],
      ...['US/Pacific', 'Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kiev', 'Etc/GMT+5', 'America/Buenos_Aires'],
    ];
    expect(zones.length).toBeGreaterThan(400);
    for (const zone of zones) expect(runtimeZoneName(zone), zone).toBe(byDateTimeFormat(zone));
  });

  it('is undefined for what is no zone', () => {
    expect(runtimeZoneName('Mars/Olympus_Mons')).toBeUndefined();
    expect(runtimeZoneName('../etc/passwd')).toBeUndefined();
    expect(runtimeZoneName('')).toBeUndefined();
  });
});
