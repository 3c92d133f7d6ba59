import { describe, expect, it } from 'vitest';
import { JOB_NAME_PATTERN } from '../../src/model/job.js';
import { nameFromCommand, uniqueName } from '../../src/import/names.js';

describe('nameFromCommand', () => {
  it.each([
    ['/usr/bin/backup --quiet', 'backup'],
    ['cd ~/reports && ./build.sh >> build.log 2>&1', 'build'],
    ['python3 /opt/jobs/Send_Report.py --daily', 'send-report'],
    ['FOO=1 nice -n 10 /usr/local/bin/sync-inbox', 'sync-inbox'],
    ['sudo -u www /usr/bin/php /var/www/cron.php', 'cron'],
    ['timeout 30m flock /tmp/l /usr/bin/rsync -a x y', 'rsync'],
    ["'/opt/My Tool/run it.sh' x", 'run-it'],
    ['bash', 'bash'],
    ['%%%', 'job'],
  ])('%s → %s', (command, name) => {
    expect(nameFromCommand(command)).toBe(name);
  });
  it('works on argv too', () => {
    expect(nameFromCommand(['/bin/bash', '-c', 'date'])).toBe('date');
  });
});

describe('uniqueName', () => {
  it('adds -2, -3… and never returns a taken or invalid name', () => {
    const taken = new Set(['backup']);
    expect(uniqueName('backup', taken)).toBe('backup-2');
    expect(uniqueName('backup', taken)).toBe('backup-3');
    expect(uniqueName('---', taken)).toBe('job');
    const long = uniqueName('x'.repeat(100), taken);
    expect(long).toMatch(JOB_NAME_PATTERN);
  });
});
