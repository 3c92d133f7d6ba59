/**
 * A private system bus for tests, and a fake logind on it.
 *
 * {@link startPrivateBus} runs `dbus-daemon` with a config that allows everything, listening on a
 * socket in a temp dir (pass its address as DBUS_SYSTEM_BUS_ADDRESS). {@link FakeLogind} is a
 * minimal D-Bus client (SASL EXTERNAL, Hello, RequestName, one signal) that owns
 * `org.freedesktop.login1` and emits `Manager.PrepareForSleep(b)`. A real owner is needed:
 * `gdbus emit` sends from an anonymous connection, and a listener that (rightly) accepts the
 * signal only from the name's owner never sees it. Little-endian marshalling per the D-Bus
 * specification, just the types used here (s, o, u, g, b, variant).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export const LOGIN1 = 'org.freedesktop.login1';

export interface PrivateBus {
  address: string;
  socket: string;
  pid: number;
  /** Ends the dbus-daemon (its clients see the bus go away). */
  stop(): Promise<void>;
}

const CONFIG = (
  socket: string,
) => `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true"/>
    <allow receive_type="method_call"/>
    <allow receive_type="signal"/>
    <allow receive_requested_reply="true"/>
  </policy>
</busconfig>
`;

/** Why the private bus cannot run here, or undefined. */
export function privateBusSkipReason(): string | undefined {
  if (!existsSync('/usr/bin/dbus-daemon')) return 'dbus-daemon is missing (Debian package dbus)';
  if (!existsSync('/usr/bin/gdbus')) return 'gdbus is missing (Debian package libglib2.0-bin)';
  return undefined;
}

/** Starts a dbus-daemon in `dir` (the socket is world-connectable so a throw-away user can use it). */
export async function startPrivateBus(dir: string): Promise<PrivateBus> {
  const socket = path.join(dir, 'system_bus_socket');
  const config = path.join(dir, 'bus.conf');
  await writeFile(config, CONFIG(socket));
  const child: ChildProcess = spawn(
    'dbus-daemon',
    ['--config-file', config, '--nofork', '--print-address=1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const deadline = Date.now() + 20_000;
  while (!out.includes('\n')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`dbus-daemon did not start: ${out.trim()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  };
  return { address: out.split('\n')[0]!.trim(), socket, pid: child.pid!, stop };
}

// --- marshalling ---------------------------------------------------------------------------

class Writer {
  private bytes: number[] = [];
  get length(): number {
    return this.bytes.length;
  }
  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  byte(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u32(v: number): void {
    this.align(4);
    this.bytes.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  }
  setU32(at: number, v: number): void {
    this.bytes[at] = v & 0xff;
    this.bytes[at + 1] = (v >>> 8) & 0xff;
    this.bytes[at + 2] = (v >>> 16) & 0xff;
    this.bytes[at + 3] = (v >>> 24) & 0xff;
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u32(b.length);
    this.bytes.push(...b, 0);
  }
  signature(s: string): void {
    this.byte(s.length);
    this.bytes.push(...Buffer.from(s, 'ascii'), 0);
  }
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
}

type Field = [code: number, sig: 'o' | 's' | 'g' | 'u', value: string | number];
type Arg = ['s', string] | ['u', number] | ['b', boolean];

function message(type: number, serial: number, fields: Field[], args: Arg[]): Buffer {
  const body = new Writer();
  for (const [t, v] of args) {
    if (t === 's') body.string(v);
    else if (t === 'u') body.u32(v);
    else body.u32(v ? 1 : 0);
  }
  const signature = args.map((a) => a[0]).join('');
  const all: Field[] = signature ? [...fields, [8, 'g', signature]] : fields;
  const w = new Writer();
  w.byte('l'.charCodeAt(0));
  w.byte(type);
  w.byte(0);
  w.byte(1);
  w.u32(body.length);
  w.u32(serial);
  const lengthAt = w.length;
  w.u32(0);
  const start = (w.align(8), w.length);
  for (const [code, sig, value] of all) {
    w.align(8);
    w.byte(code);
    w.signature(sig);
    if (sig === 'u') w.u32(value as number);
    else if (sig === 'g') w.signature(value as string);
    else w.string(value as string);
  }
  w.setU32(lengthAt, w.length - start);
  w.align(8);
  return Buffer.concat([w.buffer(), body.buffer()]);
}

/** type, reply serial and the first u32 of the body of each complete message in `buf`. */
function readMessages(buf: Buffer): {
  messages: { type: number; replySerial?: number; first?: number }[];
  rest: Buffer;
} {
  const messages: { type: number; replySerial?: number; first?: number }[] = [];
  let off = 0;
  const align = (x: number, n: number) => Math.ceil(x / n) * n;
  while (buf.length - off >= 16) {
    const le = buf[off] === 'l'.charCodeAt(0);
    const u32 = (at: number) => (le ? buf.readUInt32LE(off + at) : buf.readUInt32BE(off + at));
    const bodyLen = u32(4);
    const fieldsLen = u32(12);
    const headerEnd = align(16 + fieldsLen, 8);
    if (buf.length - off < headerEnd + bodyLen) break;
    let p = 16;
    let replySerial: number | undefined;
    let sig = '';
    while (p < 16 + fieldsLen) {
      p = align(p, 8);
      const code = buf[off + p]!;
      const slen = buf[off + p + 1]!;
      const vsig = buf.toString('ascii', off + p + 2, off + p + 2 + slen);
      p += 3 + slen;
      if (vsig === 'u') {
        p = align(p, 4);
        if (code === 5) replySerial = u32(p);
        p += 4;
      } else if (vsig === 'g') {
        const n = buf[off + p]!;
        if (code === 8) sig = buf.toString('ascii', off + p + 1, off + p + 1 + n);
        p += n + 2;
      } else {
        p = align(p, 4);
        p += 4 + u32(p) + 1;
      }
    }
    const first = sig.startsWith('u') && bodyLen >= 4 ? u32(headerEnd) : undefined;
    messages.push({ type: buf[off + 1]!, replySerial, first });
    off += headerEnd + bodyLen;
  }
  return { messages, rest: buf.subarray(off) };
}

const BUS: Field[] = [
  [1, 'o', '/org/freedesktop/DBus'],
  [2, 's', 'org.freedesktop.DBus'],
  [6, 's', 'org.freedesktop.DBus'],
];

/** Owns org.freedesktop.login1 on a (private) bus and emits PrepareForSleep on request. */
export class FakeLogind {
  private serial = 0;
  private pending = new Map<number, (reply: { type: number; first?: number }) => void>();
  private buf: Buffer = Buffer.alloc(0);

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      const { messages, rest } = readMessages(Buffer.concat([this.buf, d]));
      this.buf = rest;
      for (const m of messages) {
        if (m.replySerial !== undefined) this.pending.get(m.replySerial)?.(m);
      }
    });
  }

  /** Connects to `socket` and takes the name; throws when the bus refuses it. */
  static async connect(socket: string): Promise<FakeLogind> {
    const sock = net.createConnection(socket);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const uid = String(process.getuid!());
    sock.write(Buffer.from([0]));
    sock.write(`AUTH EXTERNAL ${Buffer.from(uid, 'ascii').toString('hex')}\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      const onData = (d: Buffer) => {
        text += d.toString('ascii');
        if (text.includes('\r\n')) {
          sock.off('data', onData);
          resolve(text);
        }
      };
      sock.on('data', onData);
    });
    if (!answer.startsWith('OK ')) throw new Error(`bus refused authentication: ${answer.trim()}`);
    sock.write('BEGIN\r\n');
    const me = new FakeLogind(sock);
    await me.call([...BUS, [3, 's', 'Hello']], []);
    const owned = await me.call(
      [...BUS, [3, 's', 'RequestName']],
      [
        ['s', LOGIN1],
        ['u', 4], // DO_NOT_QUEUE
      ],
    );
    if (owned.type !== 2 || owned.first !== 1) throw new Error(`could not own ${LOGIN1}`);
    return me;
  }

  private call(fields: Field[], args: Arg[]): Promise<{ type: number; first?: number }> {
    const serial = ++this.serial;
    return new Promise((resolve) => {
      this.pending.set(serial, resolve);
      this.sock.write(message(1, serial, fields, args));
    });
  }

  /** `true`: going to sleep; `false`: resumed. */
  emitPrepareForSleep(start: boolean): void {
    this.sock.write(
      message(
        4,
        ++this.serial,
        [
          [1, 'o', '/org/freedesktop/login1'],
          [2, 's', 'org.freedesktop.login1.Manager'],
          [3, 's', 'PrepareForSleep'],
        ],
        [['b', start]],
      ),
    );
  }

  close(): void {
    this.sock.destroy();
  }
}
