/**
 * `session` channels on the embedded server (RFC 4254 §6): one `exec` per channel handed to the
 * application's handler with the channel as a stdin/stdout stream, stderr as extended data and
 * the exit status; `shell`, `subsystem`, `pty-req`, X11 and agent forwarding are refused, `env`
 * is ignored (sshd accepts only AcceptEnv names, none by default) — a tunnel server runs no shell.
 * @module
 */
import type { AuthResult } from "@purssh/auth";
import type { Channel, IncomingChannelOpen } from "@purssh/connection";
import { ChannelStream } from "@purssh/net";
import { utf8Encode } from "@purssh/wire";
import type { ExecRequest, ServerOptions } from "./options.js";

export function acceptSession(
  open: Extract<IncomingChannelOpen, { kind: "session" }>,
  login: AuthResult,
  exec: ServerOptions["exec"],
  log: (level: 1 | 2 | 3, text: string) => void,
): void {
  const channel = open.accept();
  let started = false;
  channel.events.request = (request) => {
    if (request.kind === "exec" && exec && !started) {
      started = true;
      request.accept();
      log(1, `exec for ${login.username}: ${request.command}`);
      runExec(channel, request.command, login, exec, log);
      return;
    }
    if (request.kind === "env") {
      log(3, `ignoring env ${request.name}`);
    } else {
      log(2, `refusing session request ${request.type}`);
    }
    request.reject();
  };
}

function runExec(
  channel: Channel,
  command: string,
  login: AuthResult,
  exec: NonNullable<ServerOptions["exec"]>,
  log: (level: 1 | 2 | 3, text: string) => void,
): void {
  // The stream takes over data/eof/drain/close; the request handler stays, so a request after
  // exec is refused like any other.
  const stream = new ChannelStream(channel, { autoClose: false });
  let exited = false;
  const req: ExecRequest = {
    command,
    login,
    stream,
    channel,
    stderr: (data) => {
      if (channel.closed) return;
      try {
        channel.writeExtended(typeof data === "string" ? utf8Encode(data) : data);
      } catch (e) {
        // After stdout ended the channel's EOF is queued, and EOF covers extended data too
        // (RFC 4254 §5.3): later stderr cannot be sent. Dropped, not thrown into the handler.
        log(1, `exec stderr dropped: ${(e as Error).message}`);
      }
    },
    exit: (status) => {
      if (exited) return;
      exited = true;
      const finish = () => {
        if (channel.closed) return;
        channel.sendExitStatus(status);
        channel.closeWhenDrained();
      };
      // RFC 4254 §6.10: exit-status follows the output. An empty write completes once every
      // earlier write has reached the channel's queue, which sends in order.
      if (stream.writableEnded) {
        if (stream.writableFinished) finish();
        else stream.once("finish", finish);
      } else stream.write(new Uint8Array(0), finish);
    },
  };
  try {
    exec(req);
  } catch (e) {
    log(1, `exec handler failed: ${(e as Error).message}`);
    req.stderr(`${(e as Error).message}\n`);
    req.exit(255);
  }
}
