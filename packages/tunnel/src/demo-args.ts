/**
 * The demo's command line: no arguments runs it against the embedded server; `--host …` points it
 * at a real SSH server instead; `--once` runs the steps once and exits (for tests and CI);
 * `--help` prints the usage. Also the fingerprint conversion between ssh-keygen's `SHA256:base64`
 * (what the server and the user print) and the colon-separated hex the facade's
 * SSHServerAuthentication event reports (DESIGN.md, facade contract).
 * @module
 */
import { parseArgs } from "node:util";

export const USAGE = `purssh demo: publish a local web app through an SSH reverse tunnel (SSHReverseTunnel)

  npm start                      run it on the embedded purssh SSH server (loopback), until Ctrl-C
  npm start -- --once            the same, but fetch once, log off and exit (for scripts and CI)
  npm start -- --host HOST [--port 22] --user USER (--password PW | --key FILE)
               [--fingerprint SHA256:...] [--once]
                                 use a real SSH server instead of the embedded one
  npm start -- --help            this text

It starts a small HTTP app on 127.0.0.1, logs in with SSHReverseTunnel (pinning the server's host
key), asks the server to listen on a port of its choice relayed to the app, fetches a page through
that port, then shows a live line of connections and bytes relayed until Ctrl-C.
With --host and no --fingerprint the host key is trusted on first use (printed, then accepted).`;

export type DemoArgs =
  | { mode: "help" }
  | { mode: "embedded"; once: boolean }
  | {
      mode: "remote";
      once: boolean;
      host: string;
      port: number;
      user: string;
      password?: string;
      key?: string;
      fingerprint?: string;
    };

/** A command line the demo cannot run; the message says why (the caller prints USAGE too). */
export class DemoUsageError extends Error {}

/** Parses the demo's arguments (without node and the script path). */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        user: { type: "string" },
        password: { type: "string" },
        key: { type: "string" },
        fingerprint: { type: "string" },
        once: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new DemoUsageError((e as Error).message);
  }
  if (values.help) return { mode: "help" };
  const once = values.once === true;
  const str = (name: string) => values[name] as string | undefined;
  const host = str("host");
  if (host === undefined) {
    const stray = ["port", "user", "password", "key", "fingerprint"].filter((n) => values[n] !== undefined);
    if (stray.length > 0) {
      throw new DemoUsageError(`--${stray.join(", --")} only apply to a real server: add --host`);
    }
    return { mode: "embedded", once };
  }
  const user = str("user");
  const password = str("password");
  const key = str("key");
  if (!host || !user) throw new DemoUsageError("--host needs --user");
  if ((password === undefined) === (key === undefined)) {
    throw new DemoUsageError("--host needs exactly one of --password or --key");
  }
  const portText = str("port") ?? "22";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new DemoUsageError(`--port must be 1..65535, got ${JSON.stringify(portText)}`);
  }
  const fingerprint = str("fingerprint");
  if (fingerprint !== undefined) toColonHex(fingerprint); // reject a malformed one up front
  return {
    mode: "remote",
    once,
    host,
    port,
    user,
    ...(password !== undefined ? { password } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(fingerprint !== undefined ? { fingerprint } : {}),
  };
}

/**
 * A SHA-256 host-key fingerprint as the facade reports it (lower-case hex, colon-separated) from
 * either `SHA256:<base64>` (ssh-keygen, `server.fingerprints`) or colon hex (with or without
 * colons / a `SHA256:` prefix).
 */
export function toColonHex(fingerprint: string): string {
  const f = fingerprint.trim();
  const hex = f.replace(/^sha256:/i, "").replace(/:/g, "");
  let bytes: Buffer;
  if (/^[0-9a-f]{64}$/i.test(hex)) bytes = Buffer.from(hex, "hex");
  else if (/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(f)) bytes = Buffer.from(f.slice("SHA256:".length), "base64");
  else throw new DemoUsageError(`--fingerprint must be SHA256:<base64> or 32 colon-separated hex bytes, got ${f}`);
  if (bytes.length !== 32) throw new DemoUsageError(`--fingerprint ${f} is not a SHA-256 fingerprint`);
  return (bytes.toString("hex").match(/../g) ?? []).join(":");
}
