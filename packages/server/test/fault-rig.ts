// The embedded server on one end of an in-memory pipe and a ScriptedClient (or raw bytes) on the
// other, for the server's fault tests: builders for the payloads a misbehaving client sends, and
// the end-of-test check that a connection left nothing behind.
import { generateKey } from "@purssh/keys";
import { createServer, type ServerConnection, type ServerOptions, type SshServer } from "@purssh/server";
import {
  type DuplexPairOptions,
  duplexPair,
  type PipeEnd,
  ScriptedClient,
  type ScriptedClientOptions,
  withTimeout,
} from "@purssh/testkit";
import {
  ChannelOpenConfirmation,
  ChannelOpenSession,
  ChannelRequestExec,
  GlobalRequestKeepalive,
  GlobalRequestTcpipForward,
  MSG,
  UserauthRequestPassword,
} from "@purssh/wire";
import { expect } from "vitest";

export const USER = "alice";
export const PASSWORD = "secret";
const hostKey = generateKey({ type: "ed25519" });

export interface ServerSide {
  server: SshServer;
  conn: ServerConnection;
  /** The server's end of the pipe. */
  serverEnd: PipeEnd;
  /** The client's end of the pipe. */
  clientEnd: PipeEnd;
}

/** A server with one connection over a fresh pipe; nothing is sent on the client's end yet. */
export function serverOnPipe(options: Partial<ServerOptions> = {}, pipe: DuplexPairOptions = {}): ServerSide {
  const server = createServer({
    hostKeys: [hostKey],
    auth: { password: (ctx, pw) => ctx.username === USER && pw === PASSWORD },
    ...options,
  });
  const [serverEnd, clientEnd] = duplexPair(pipe);
  const conn = server.handleConnection(serverEnd, "127.0.0.1", 50_000);
  if (!conn) throw new Error("the server refused the connection");
  return { server, conn, serverEnd, clientEnd };
}

/** Resolves when the client's end of the pipe has read everything the server sent and its end. */
export function serverFinished(side: ServerSide): Promise<void> {
  if (side.clientEnd.readableEnded) return Promise.resolve();
  return withTimeout(
    new Promise<void>((resolve) => side.clientEnd.once("end", resolve)),
    5000,
    "the end of the server's output",
  );
}

/** serverOnPipe plus a started ScriptedClient on the client's end. */
export function scriptedSession(
  options: Partial<ServerOptions> = {},
  clientOptions: ScriptedClientOptions = {},
  pipe: DuplexPairOptions = {},
): ServerSide & { client: ScriptedClient } {
  const side = serverOnPipe(options, pipe);
  const client = new ScriptedClient(side.clientEnd, clientOptions);
  client.start();
  return { ...side, client };
}

/** Ref'd timers (unref'd ones never keep the process alive and are not counted). */
export function refTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

/**
 * The connection ended and left nothing behind: its close promise resolved, the server forgot it,
 * it holds no forwarding listener, and (within a short bounded wait for timers already firing)
 * no more ref'd timers are pending than before the test.
 */
export async function expectCleanEnd(side: ServerSide, timersBefore: number): Promise<void> {
  await withTimeout(side.conn.closed, 5000, "the server connection's close");
  expect(side.server.connections).toHaveLength(0);
  expect(side.conn.forwardListeners).toHaveLength(0);
  await withTimeout(side.server.close(), 5000, "server.close()");
  const deadline = Date.now() + 1000;
  while (refTimers() > timersBefore && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  expect(refTimers()).toBeLessThanOrEqual(timersBefore);
}

export const passwordRequest = (password = PASSWORD) =>
  UserauthRequestPassword.encode({
    userName: USER,
    serviceName: "ssh-connection",
    methodName: "password",
    changePassword: false,
    password,
  });

export const tcpipForward = (port: number) =>
  GlobalRequestTcpipForward.encode({
    requestName: "tcpip-forward",
    wantReply: true,
    addressToBind: "127.0.0.1",
    portToBind: port,
  });

export const keepalive = () => GlobalRequestKeepalive.encode({ requestName: "keepalive@openssh.com", wantReply: true });

export const openSession = (
  senderChannel: number,
  initialWindowSize = 2 * 1024 * 1024,
  maximumPacketSize = 32 * 1024,
) => ChannelOpenSession.encode({ channelType: "session", senderChannel, initialWindowSize, maximumPacketSize });

/** Opens a session channel and runs `exec` on it; resolves with the server's confirmation. */
export async function openExec(client: ScriptedClient, initialWindowSize?: number): Promise<ChannelOpenConfirmation> {
  const confirmation = client.next(MSG.CHANNEL_OPEN_CONFIRMATION, "CHANNEL_OPEN_CONFIRMATION");
  client.send(openSession(7, initialWindowSize));
  const confirmed = ChannelOpenConfirmation.decode(await confirmation);
  const success = client.next(MSG.CHANNEL_SUCCESS, "CHANNEL_SUCCESS for exec");
  client.send(
    ChannelRequestExec.encode({
      recipientChannel: confirmed.senderChannel,
      requestType: "exec",
      wantReply: true,
      command: "stream",
    }),
  );
  await success;
  return confirmed;
}
