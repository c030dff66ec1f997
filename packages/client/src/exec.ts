/**
 * Sessions and direct-tcpip from the client (RFC 4254 §6.5 `exec`, §7.2 `direct-tcpip`): run a
 * command and collect its output and exit status, or open a byte stream to host:port through the
 * server (what `ssh -L` does for each connection).
 * @module
 */
import type { Connection, ExitSignal } from "@purssh/connection";
import { ChannelStream } from "@purssh/net";
import { SshError } from "@purssh/wire";

/** What a command run with `exec` produced. */
export interface ExecResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** RFC 4254 §6.10 exit-status, when the server sent one. */
  exitStatus: number | undefined;
  /** RFC 4254 §6.10 exit-signal, when the command died of a signal. */
  exitSignal: ExitSignal | undefined;
}

/** Output kept per stream before exec fails (use `execStream` for more). */
export const MAX_EXEC_OUTPUT = 64 * 1024 * 1024;

/** A running command: `stream` is stdin/stdout; stderr arrives as 'stderr' events on it. */
export async function execStream(connection: Connection, command: string): Promise<ChannelStream> {
  // The server closes a session after exit-status (RFC 4254 §6.10); closing on its EOF, as a
  // forwarded connection does, would drop the exit-status that follows the EOF.
  const stream = new ChannelStream(undefined, { autoClose: false });
  let consume: ((n: number) => void) | undefined;
  const channel = await connection.openSession({
    ...stream.channelEvents,
    extendedData: (data) => {
      stream.emit("stderr", data.slice());
      consume?.(data.length);
    },
  });
  consume = (n) => channel.consume(n);
  stream.attach(channel);
  try {
    await channel.exec(command);
  } catch (e) {
    stream.destroy();
    throw e;
  }
  return stream;
}

/** Runs `command`, sends `stdin` (then EOF) and resolves once the channel closes. */
export async function execCommand(connection: Connection, command: string, stdin?: Uint8Array): Promise<ExecResult> {
  const stream = await execStream(connection, command);
  const out: Buffer[] = [];
  const err: Uint8Array[] = [];
  let outBytes = 0;
  let errBytes = 0;
  return new Promise<ExecResult>((resolve, reject) => {
    const tooMuch = () => {
      stream.destroy();
      reject(new SshError("ERR_EXEC_OUTPUT_LIMIT", `command output exceeds ${MAX_EXEC_OUTPUT} bytes`));
    };
    stream.on("data", (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > MAX_EXEC_OUTPUT) tooMuch();
      else out.push(d);
    });
    stream.on("stderr", (d: Uint8Array) => {
      errBytes += d.length;
      if (errBytes > MAX_EXEC_OUTPUT) tooMuch();
      else err.push(d);
    });
    stream.on("error", reject);
    stream.on("close", () => {
      const channel = stream.channel as unknown as {
        exitStatus?: number | undefined;
        exitSignal?: ExitSignal | undefined;
      };
      resolve({
        stdout: new Uint8Array(Buffer.concat(out)),
        stderr: new Uint8Array(Buffer.concat(err)),
        exitStatus: channel.exitStatus,
        exitSignal: channel.exitSignal,
      });
    });
    stream.end(stdin ?? new Uint8Array(0));
  });
}

/** RFC 4254 §7.2: a byte stream to host:port, opened by the server on our behalf. */
export async function forwardOut(
  connection: Connection,
  host: string,
  port: number,
  originatorAddress = "127.0.0.1",
  originatorPort = 0,
): Promise<ChannelStream> {
  const stream = new ChannelStream();
  const channel = await connection.openDirectTcpip(
    { host, port, originatorAddress, originatorPort },
    stream.channelEvents,
  );
  stream.attach(channel);
  return stream;
}

/** OpenSSH PROTOCOL §2.4 direct-streamlocal@openssh.com: a byte stream to a Unix socket on the server. */
export async function forwardOutUnix(connection: Connection, socketPath: string): Promise<ChannelStream> {
  const stream = new ChannelStream();
  const channel = await connection.openDirectStreamlocal(socketPath, stream.channelEvents);
  stream.attach(channel);
  return stream;
}
