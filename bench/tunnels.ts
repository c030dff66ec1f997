/**
 * The three reverse-tunnel implementations under test, each set up against the same OpenSSH sshd
 * with one cipher (and, for the non-AEAD ciphers, one MAC), asking sshd to listen on 127.0.0.1 and
 * bridging every forwarded connection to the local target:
 *
 *   purssh   connect() + listen({host: "127.0.0.1", port: 0}); conn.pipe(sock), sock.pipe(conn)
 *            (with whatever CryptoProvider the caller installed: see throughput.ts)
 *   ssh2     Client + forwardIn("127.0.0.1", 0) + 'tcp connection' → accept() → pipe both ways
 *   openssh  `ssh -N -R 127.0.0.1:PORT:127.0.0.1:TARGET -c CIPHER -m MAC …` as a child process
 *
 * purssh and ssh2 run in this process (their crypto and the bridging share the event loop with the
 * load generator); ssh runs in its own process. Loaded only by the benchmark worker, so that
 * "@purssh/client" resolves to the built package (see throughput.ts).
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import type { Duplex } from "node:stream";
import { connect } from "@purssh/client";
import { freePort, SSH_PATH, type SshdInfo, withTimeout } from "@purssh/testkit";
import { Client as Ssh2Client } from "ssh2";
import type { Impl } from "./config.js";
import { canConnect, isListening } from "./traffic.js";

export interface Tunnel {
  readonly impl: Impl;
  readonly cipher: string;
  /** The port sshd forwards (on 127.0.0.1). */
  readonly port: number;
  /** What was negotiated / started, for the log. */
  readonly detail: string;
  /** Settles (never rejects) with a message if the tunnel dies while it should be open. */
  readonly failed: Promise<string>;
  /** Errors seen on forwarded connections (at most 20), collected until close() is called. */
  readonly notes: string[];
  close(): Promise<void>;
}

export interface TunnelContext {
  sshd: SshdInfo;
  cipher: string;
  /** The MAC for a non-AEAD cipher (ignored with an AEAD, whose tag is the MAC). */
  mac: string;
  targetPort: number;
  /** Limit for connecting, authenticating and getting the forwarding. */
  timeoutMs: number;
}

const CLOSE_STEP_TIMEOUT_MS = 10_000;

/** Shared bookkeeping: the failure signal, notes, and the bridged streams to destroy on close. */
class TunnelState {
  port = 0;
  closing = false;
  readonly notes: string[] = [];
  readonly failed: Promise<string>;
  private resolveFailed!: (msg: string) => void;
  private readonly streams = new Set<Duplex>();

  constructor(
    readonly impl: Impl,
    readonly cipher: string,
    readonly targetPort: number,
  ) {
    this.failed = new Promise((r) => {
      this.resolveFailed = r;
    });
  }

  fail(msg: string): void {
    if (this.closing) return;
    this.note(msg);
    this.resolveFailed(msg);
  }

  note(msg: string): void {
    if (!this.closing && this.notes.length < 20) this.notes.push(msg);
  }

  /** Pipes a forwarded connection to a fresh connection to the target, both ways. */
  bridge(remote: Duplex): void {
    const sock = tcpConnect({ host: "127.0.0.1", port: this.targetPort });
    this.streams.add(remote);
    this.streams.add(sock);
    remote.on("close", () => this.streams.delete(remote));
    sock.on("close", () => this.streams.delete(sock));
    remote.on("error", (e: Error) => this.note(`${this.impl} forwarded connection error: ${describe(e)}`));
    // The target socket is reset when a transfer is torn down; only errors before that matter.
    sock.on("error", (e: Error) => this.note(`${this.impl} target socket error: ${describe(e)}`));
    remote.pipe(sock);
    sock.pipe(remote);
  }

  /** Marks the tunnel closing (no more failures or notes) and destroys the bridged streams. */
  beginClose(): void {
    this.closing = true;
    for (const s of this.streams) s.destroy();
    this.streams.clear();
  }

  tunnel(detail: string, close: () => Promise<void>): Tunnel {
    let closing: Promise<void> | undefined;
    return {
      impl: this.impl,
      cipher: this.cipher,
      port: this.port,
      detail,
      failed: this.failed,
      notes: this.notes,
      close: () => {
        closing ??= (async () => {
          this.beginClose();
          await close();
        })();
        return closing;
      },
    };
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return `${typeof code === "string" ? `${code}: ` : ""}${e.message}`;
  }
  return String(e);
}

/** Runs a shutdown step with a time limit; failures become notes on stderr, never exceptions. */
async function step(what: string, p: () => Promise<unknown>): Promise<void> {
  try {
    await withTimeout(p(), CLOSE_STEP_TIMEOUT_MS, what);
  } catch (e) {
    console.error(`  warning: ${what}: ${describe(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// purssh

export async function openPurssh(ctx: TunnelContext): Promise<Tunnel> {
  const state = new TunnelState("purssh", ctx.cipher, ctx.targetPort);
  const client = await connect({
    host: "127.0.0.1",
    port: ctx.sshd.port,
    username: ctx.sshd.user,
    privateKey: await readFile(ctx.sshd.userKeyPath, "utf8"),
    hostKeys: [ctx.sshd.hostKeyPublic],
    algorithms: { cipher: [ctx.cipher], mac: [ctx.mac] },
    timeoutMs: ctx.timeoutMs,
  });
  client.on("close", (e?: Error) => state.fail(`the SSH connection closed${e ? `: ${describe(e)}` : ""}`));
  try {
    const n = client.algorithms;
    if (n?.cipherClientToServer !== ctx.cipher || n.cipherServerToClient !== ctx.cipher) {
      throw new Error(`negotiated ${n?.cipherClientToServer}/${n?.cipherServerToClient}, not ${ctx.cipher}`);
    }
    const mac = n.macClientToServer;
    if (mac !== "" && (mac !== ctx.mac || n.macServerToClient !== ctx.mac)) {
      throw new Error(`negotiated the MACs ${mac}/${n.macServerToClient}, not ${ctx.mac}`);
    }
    const listener = await withTimeout(client.listen({ host: "127.0.0.1", port: 0 }), ctx.timeoutMs, "listen()");
    listener.on("connection", (conn: Duplex) => state.bridge(conn));
    state.port = listener.port;
    const detail = `server ${client.serverVersion}, cipher ${n.cipherClientToServer}${mac ? ` + ${mac}` : ""}`;
    return state.tunnel(detail, async () => {
      await step("purssh listener.close()", () => listener.close());
      await step("purssh client.close()", () => client.close());
    });
  } catch (e) {
    state.beginClose();
    await step("purssh client.close()", () => client.close());
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// ssh2

export async function openSsh2(ctx: TunnelContext): Promise<Tunnel> {
  const state = new TunnelState("ssh2", ctx.cipher, ctx.targetPort);
  const hostBlob = Buffer.from(ctx.sshd.hostKeyPublic.trim().split(/\s+/)[1] ?? "", "base64");
  const privateKey = await readFile(ctx.sshd.userKeyPath);
  const client = new Ssh2Client();
  let negotiated = "";
  let setupError: ((e: Error) => void) | undefined;
  let negotiatedMac = "";
  client.on("handshake", (n) => {
    negotiated = `${n.cs.cipher}/${n.sc.cipher}`;
    negotiatedMac = `${n.cs.mac}/${n.sc.mac}`;
  });
  client.on("error", (e) => {
    if (setupError) setupError(e);
    else state.fail(`ssh2 error: ${describe(e)}`);
  });
  let closed = false;
  client.on("close", () => {
    closed = true;
    state.fail("the SSH connection closed");
  });
  client.on("tcp connection", (_info, accept) => state.bridge(accept()));
  const destroy = async () => {
    if (closed) return;
    const whenClosed = new Promise<void>((r) => client.once("close", () => r()));
    client.end();
    await step("ssh2 client.end()", () => whenClosed);
    client.destroy();
  };
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        setupError = reject;
        client.once("ready", () => resolve());
        client.connect({
          host: "127.0.0.1",
          port: ctx.sshd.port,
          username: ctx.sshd.user,
          privateKey,
          hostVerifier: (key) => key.equals(hostBlob),
          algorithms: { cipher: [ctx.cipher], hmac: [ctx.mac] },
          readyTimeout: ctx.timeoutMs,
        });
      }),
      ctx.timeoutMs,
      "ssh2 connect",
    );
    if (negotiated !== `${ctx.cipher}/${ctx.cipher}`)
      throw new Error(`ssh2 negotiated ${negotiated}, not ${ctx.cipher}`);
    state.port = await withTimeout(
      new Promise<number>((resolve, reject) => {
        setupError = reject;
        client.forwardIn("127.0.0.1", 0, (err, port) => (err ? reject(err) : resolve(port)));
      }),
      ctx.timeoutMs,
      "ssh2 forwardIn",
    );
    setupError = undefined;
    return state.tunnel(`cipher ${negotiated}, MAC ${negotiatedMac}`, destroy);
  } catch (e) {
    state.beginClose();
    await destroy();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// OpenSSH ssh -R

/** ssh children still running when the process exits are killed with it. */
const children = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once("exit", () => {
    for (const c of children) c.kill("SIGKILL");
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  child.kill("SIGTERM");
  if (!(await waitExit(child, 5000))) {
    child.kill("SIGKILL");
    await waitExit(child, 5000);
  }
}

/** Waits until sshd listens on the forwarded port (or ssh exits, or time runs out). */
async function waitForward(child: ChildProcess, port: number, ms: number): Promise<"ready" | "exited" | "timeout"> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (exited(child)) return "exited";
    // /proc/net/tcp shows the listening socket without making a connection, so no stray forwarded
    // connection reaches the target; elsewhere fall back to connecting.
    if ((await isListening(port)) ?? (await canConnect(port))) return "ready";
    await new Promise((r) => setTimeout(r, 50));
  }
  return "timeout";
}

export async function openOpenssh(ctx: TunnelContext): Promise<Tunnel> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const args = [
      "-N",
      "-F",
      "/dev/null",
      "-R",
      `127.0.0.1:${port}:127.0.0.1:${ctx.targetPort}`,
      "-o",
      "ExitOnForwardFailure=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "BatchMode=yes",
      "-o",
      "LogLevel=ERROR",
      "-i",
      ctx.sshd.userKeyPath,
      "-c",
      ctx.cipher,
      "-m",
      ctx.mac,
      "-p",
      String(ctx.sshd.port),
      `${ctx.sshd.user}@127.0.0.1`,
    ];
    const child = spawn(SSH_PATH, args, { stdio: ["ignore", "ignore", "pipe"] });
    track(child);
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      if (stderr.length < 8192) stderr += d;
    });
    let spawnError = "";
    child.on("error", (e) => {
      spawnError = e.message;
    });
    const state = new TunnelState("openssh", ctx.cipher, ctx.targetPort);
    const result = await waitForward(child, port, ctx.timeoutMs);
    if (result === "ready") {
      state.port = port;
      child.once("exit", (code, sig) => state.fail(`ssh exited (${code ?? sig}): ${stderr.trim()}`));
      return state.tunnel(`pid ${child.pid}, ${SSH_PATH} -c ${ctx.cipher} -m ${ctx.mac}`, () => stopChild(child));
    }
    await stopChild(child);
    const lostRace = /forwarding failed|already in use/i.test(stderr);
    if (result === "exited" && lostRace && attempt < 3) continue;
    throw new Error(
      `ssh -R 127.0.0.1:${port} did not start forwarding (${result === "exited" ? `exited with ${child.exitCode ?? child.signalCode}` : `not listening within ${ctx.timeoutMs} ms`})` +
        `${spawnError ? `: ${spawnError}` : ""}; stderr: ${stderr.trim() || "(empty)"}; command: ${SSH_PATH} ${args.join(" ")}`,
    );
  }
}

export const OPENERS: Record<Impl, (ctx: TunnelContext) => Promise<Tunnel>> = {
  purssh: openPurssh,
  ssh2: openSsh2,
  openssh: openOpenssh,
};
