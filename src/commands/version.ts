import { BaseCommand } from './base.js';

export default class Version extends BaseCommand {
  static override summary = "Print sched's version (also: sched --version, sched -v)";
  static override examples = ['<%= config.bin %> version'];

  async run(): Promise<void> {
    await this.parse(Version);
    // The same line as `sched --version`.
    this.log(this.config.userAgent);
  }
}
