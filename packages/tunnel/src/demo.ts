/**
 * `npm start`: the newcomer's live demo of SSHReverseTunnel. With no arguments it starts the
 * embedded purssh SSH server on loopback (fresh ed25519 host key, generated password) and a small
 * local HTTP app, logs in with SSHReverseTunnel pinning the host key by fingerprint, asks the
 * server to listen on a port of its choice relayed to the app (local-forwarding mode), fetches a
 * page through that port, and then keeps fetching and shows a live line of connections and bytes
 * relayed until Ctrl-C, when it logs off and closes everything.
 *
 *   npm start                                   the embedded server, until Ctrl-C
 *   npm start -- --once                         steps, one fetch, log off, exit 0 (tests, CI)
 *   npm start -- --host H --port P --user U (--password PW | --key FILE) [--fingerprint SHA256:…]
 *   npm start -- --help
 * @module
 */
import { Certificate } from "./certificate.js";
import { httpGet, type LocalApp, startLocalApp } from "./demo-app.js";
import { type DemoArgs, DemoUsageError, parseDemoArgs, toColonHex, USAGE } from "./demo-args.js";
import { type EmbeddedServer, startEmbeddedServer } from "./demo-embedded.js";
import { SSHAuthModes, SSHReverseTunnel } from "./tunnel.js";

/** Time between two fetches through the tunnel in live mode. */
const FETCH_INTERVAL_MS = 2_000;
/** How often the live line is redrawn on a terminal, and printed when stdout is not one. */
const TTY_REFRESH_MS = 500;
const PLAIN_REFRESH_MS = 5_000;
/** After shutdown the process must exit by itself; if a handle keeps it alive, say which and exit 1. */
const EXIT_WATCHDOG_MS = 5_000;

const isTTY = process.stdout.isTTY === true;

/** Thrown out of a pending step when Ctrl-C arrives. */
class Interrupted extends Error {}

function step(text: string): void {
  console.log(`✓ ${text}`);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** What `SSHLogon` is pointed at: the embedded server or the one named on the command line. */
interface Target {
  host: string;
  port: number;
  user: string;
  /** How the user logs in, for the "logged in" line. */
  authLabel: string;
  /** Colon-hex SHA-256 to pin, or undefined for trust on first use. */
  pinned: string | undefined;
  /** Whether this machine can reach the forwarded port (the server is on loopback). */
  local: boolean;
  configure(tunnel: SSHReverseTunnel): Promise<void>;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

function embeddedTarget(server: EmbeddedServer): Target {
  return {
    host: server.host,
    port: server.port,
    user: server.user,
    authLabel: "a generated password",
    pinned: toColonHex(server.fingerprint),
    local: true,
    configure: async (t) => {
      t.setSSHUser(server.user);
      t.setSSHPassword(server.password); // SSHAuthMode defaults to amPassword (2)
    },
  };
}

function remoteTarget(args: Extract<DemoArgs, { mode: "remote" }>): Target {
  return {
    host: args.host,
    port: args.port,
    user: args.user,
    authLabel: args.key ? `the key ${args.key}` : "password",
    pinned: args.fingerprint !== undefined ? toColonHex(args.fingerprint) : undefined,
    local: isLoopback(args.host),
    configure: async (t) => {
      t.setSSHUser(args.user);
      if (args.key) {
        t.setSSHAuthMode(SSHAuthModes.amPublicKey);
        t.setSSHCert(await Certificate.fromFile(args.key));
      } else {
        t.setSSHPassword(args.password ?? "");
      }
    },
  };
}

/** Counts the tunnel's connections (SSHChannelOpened / SSHChannelClosed). */
interface Counters {
  total: number;
  open: number;
}

function liveLine(counters: Counters, app: LocalApp, note: string): string {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const conns = `${plural(counters.total, "connection")} (${counters.open} open)`;
  const line = `live: ${conns}, ${formatBytes(app.bytes())} relayed, ${plural(app.requests, "request")} served`;
  return `${line}${note ? ` · ${note}` : ""} · Ctrl-C to stop`;
}

/** Ctrl-C handling: the first one stops the demo at whatever step it is in, a second one exits at once. */
function watchSigint(): { interrupted: Promise<never>; stop(): void } {
  let interrupt: () => void = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    interrupt = () => reject(new Interrupted("interrupted"));
  });
  interrupted.catch(() => {});
  let seen = false;
  const onSigint = () => {
    if (seen) {
      console.error("\nforced exit");
      process.exit(130);
    }
    seen = true;
    interrupt();
  };
  process.on("SIGINT", onSigint);
  return { interrupted, stop: () => process.removeListener("SIGINT", onSigint) };
}

/** The demo's state, shared by the steps and the shutdown. */
class DemoRun {
  readonly counters: Counters = { total: 0, open: 0 };
  /** Undone in reverse order at shutdown. */
  readonly cleanups: (() => Promise<unknown>)[] = [];
  stopping = false;
  loggedOn = false;
  /** The demo was stopped by Ctrl-C (rather than by finishing or failing). */
  stoppedByCtrlC = false;
  /** True once the live line is on screen (a TTY then needs a newline before other output). */
  lineShown = false;
  private dropped: (reason: Error) => void = () => {};
  /** Rejects if the SSH connection drops while the demo runs. */
  readonly disconnected = new Promise<never>((_, reject) => {
    this.dropped = reject;
  });

  constructor(
    readonly args: Exclude<DemoArgs, { mode: "help" }>,
    readonly interrupted: Promise<never>,
  ) {
    this.disconnected.catch(() => {});
  }

  /** Awaits a step, or stops waiting when Ctrl-C arrives. */
  until<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.interrupted]);
  }

  /**
   * Awaits something that must be closed at shutdown; its cleanup is registered first, so that a
   * Ctrl-C while it is still starting closes it once it has started, rather than leaking it.
   */
  own<T>(starting: Promise<T>, close: (it: T) => Promise<unknown>): Promise<T> {
    starting.catch(() => {});
    this.cleanups.push(async () => {
      const it = await starting.catch(() => undefined);
      if (it !== undefined) await close(it);
    });
    return this.until(starting);
  }

  newline(): string {
    return this.lineShown && isTTY ? "\n" : "";
  }

  /** The steps: server (embedded), app, logon, forwarding, one fetch. Returns what live mode needs. */
  async steps(): Promise<{ app: LocalApp; url: string | undefined }> {
    let target: Target;
    if (this.args.mode === "embedded") {
      const server = await this.own(startEmbeddedServer(), (it) => it.close());
      step(`embedded SSH server listening on ${server.host}:${server.port} (host key ${server.fingerprint})`);
      target = embeddedTarget(server);
    } else {
      target = remoteTarget(this.args);
    }

    const app = await this.own(startLocalApp(), (it) => it.close());
    step(`local app listening on 127.0.0.1:${app.port}`);

    const t = new SSHReverseTunnel();
    await target.configure(t);
    this.watch(t, target);
    await this.own(
      t.SSHLogon(target.host, target.port).then(() => t),
      (it) => it.SSHLogoff(),
    );
    this.loggedOn = true;
    step(`logged in as ${target.user} with ${target.authLabel} (server ${t.config("ServerSSHVersionString")})`);

    // Local-forwarding mode: "" = the server's default bind address (loopback under sshd's
    // GatewayPorts no), port 0 = the server chooses; each connection is relayed to the app.
    await this.until(t.requestForwarding("", 0, "127.0.0.1", app.port));
    const forwarded = Number(t.config("ForwardedPort"));
    const where = target.local ? `127.0.0.1:${forwarded}` : `${target.host}:${forwarded}`;
    step(`server forwards ${where} → local app 127.0.0.1:${app.port}`);

    const url = `http://127.0.0.1:${forwarded}/`;
    if (!target.local) {
      console.log(`→ on ${target.host}, try: curl ${url}`);
      return { app, url: undefined };
    }
    const { status, body } = await this.until(httpGet(url));
    if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${body.trim()}`);
    step(`GET ${url} → ${status} ${JSON.stringify(body.trim())}`);
    return { app, url };
  }

  /** Host-key pinning, connection counts, errors and drops. */
  private watch(t: SSHReverseTunnel, target: Target): void {
    t.on("SSHServerAuthentication", (e) => {
      // The facade reports colon-separated hex (SSHFingerprintHashAlgorithm, SHA-256 by default);
      // target.pinned was converted from the SHA256:base64 form the server and ssh-keygen print.
      const shown = Certificate.fromPublicKeyBlob(e.hostKeyB).fingerprint;
      if (target.pinned === undefined) {
        e.accept = true;
        step(`host key ${e.keyAlgorithm} ${shown} trusted on first use (pin it with --fingerprint ${shown})`);
      } else {
        e.accept = e.fingerprint === target.pinned;
        if (e.accept) step(`host key ${e.keyAlgorithm} ${shown} matches the pinned fingerprint`);
        else console.error(`✗ host key ${e.keyAlgorithm} ${shown} does NOT match the pinned fingerprint`);
      }
    });
    t.on("SSHChannelOpened", () => {
      this.counters.total++;
      this.counters.open++;
    });
    t.on("SSHChannelClosed", () => {
      this.counters.open--;
    });
    t.on("Error", (e) => {
      if (!this.stopping) console.error(`${this.newline()}tunnel error ${e.errorCode}: ${e.description}`);
    });
    t.on("Disconnected", (e) => {
      if (this.loggedOn && !this.stopping) {
        this.dropped(new Error(`the server closed the connection (${e.statusCode}: ${e.description})`));
      }
    });
  }

  /** Fetches every couple of seconds and redraws the live line until Ctrl-C (or a drop). */
  async live(app: LocalApp, url: string | undefined): Promise<void> {
    let note = "";
    let fetching = false;
    const fetchAgain = () => {
      if (fetching || url === undefined) return;
      fetching = true;
      httpGet(url)
        .then((r) => {
          note = r.status === 200 ? "" : `last GET → ${r.status}`;
        })
        .catch((e: Error) => {
          note = `last GET failed: ${e.message}`;
        })
        .finally(() => {
          fetching = false;
        });
    };
    const draw = () => {
      const line = liveLine(this.counters, app, note);
      if (isTTY) process.stdout.write(`\r${line}\x1b[K`);
      else console.log(line);
      this.lineShown = true;
    };
    draw();
    const timers = [
      setInterval(fetchAgain, FETCH_INTERVAL_MS),
      setInterval(draw, isTTY ? TTY_REFRESH_MS : PLAIN_REFRESH_MS),
    ];
    try {
      await Promise.race([this.interrupted, this.disconnected]);
    } finally {
      for (const timer of timers) clearInterval(timer);
    }
  }

  /** Logs off and closes the server and the app (in reverse order of creation). */
  async shutdown(): Promise<boolean> {
    this.stopping = true;
    if (this.lineShown && isTTY) process.stdout.write("\n");
    let ok = true;
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch (e) {
        console.error(`while closing: ${(e as Error).message}`);
        ok = false;
      }
    }
    if (this.loggedOn && ok) {
      step(`logged off; ${this.args.mode === "embedded" ? "embedded server and " : ""}local app closed`);
    } else if (this.stoppedByCtrlC && ok) {
      step("stopped by Ctrl-C; everything started so far is closed");
    }
    return ok;
  }
}

async function run(args: Exclude<DemoArgs, { mode: "help" }>): Promise<number> {
  const sigint = watchSigint();
  const demo = new DemoRun(args, sigint.interrupted);
  let code = 0;
  try {
    const { app, url } = await demo.steps();
    if (!args.once) await demo.live(app, url);
  } catch (e) {
    if (e instanceof Interrupted) demo.stoppedByCtrlC = true;
    else {
      const err = e as Error & { code?: number | string };
      console.error(`${demo.newline()}demo failed${err.code ? ` (${err.code})` : ""}: ${err.message}`);
      code = 1;
    }
  }
  // Stay in the SIGINT handler's care during shutdown: a second Ctrl-C forces the exit.
  if (!(await demo.shutdown())) code ||= 1;
  sigint.stop();
  return code;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (e) {
    if (!(e instanceof DemoUsageError)) throw e;
    console.error(`${e.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.mode === "help") {
    console.log(USAGE);
    return 0;
  }
  return run(args);
}

main(process.argv.slice(2))
  .catch((e: Error) => {
    console.error(`demo failed: ${e.stack ?? e.message}`);
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
    // Everything is closed now, so the process exits by itself; if something still holds it,
    // name it rather than hang.
    setTimeout(() => {
      console.error(`demo: still running ${EXIT_WATCHDOG_MS} ms after shutdown; open handles:`);
      console.error(`  ${process.getActiveResourcesInfo().join(", ")}`);
      process.exit(1);
    }, EXIT_WATCHDOG_MS).unref();
  });
