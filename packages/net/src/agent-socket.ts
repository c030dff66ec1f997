/**
 * The ssh-agent socket adapter: connects an `AgentClient` (@purssh/keys, draft-miller-ssh-agent)
 * to an agent listening on a Unix-domain socket — the path in SSH_AUTH_SOCK, as ssh-agent(1)
 * publishes it — or a Windows named pipe, with node:net. It pumps bytes both ways, times each
 * request, keeps the process alive only while a request is waiting, and closes by flushing and
 * then destroying the socket.
 * @module
 */
import * as net from "node:net";
import { AGENT_ERROR, AgentClient, type AgentConnection, AgentError } from "@purssh/keys";

/**
 * Default time to connect and to wait for each answer. Generous because an agent may ask the user
 * (ssh-add -c confirmation, a FIDO key touch) before it signs.
 */
export const DEFAULT_AGENT_TIMEOUT_MS = 30_000;

export interface AgentSocketOptions {
  /** Milliseconds to connect, and to wait for each answer (default DEFAULT_AGENT_TIMEOUT_MS; 0 = no limit). */
  timeoutMs?: number;
}

/**
 * Connects to the agent at `path` (default: SSH_AUTH_SOCK) and returns its client; `close()` it
 * when done. Rejects with ERR_AGENT_UNAVAILABLE when no path is set or the socket is absent or
 * refuses, and ERR_AGENT_TIMEOUT when connecting takes longer than `timeoutMs`.
 */
export function connectAgent(
  path: string | undefined = process.env.SSH_AUTH_SOCK,
  options: AgentSocketOptions = {},
): Promise<AgentClient> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS;
  if (path === undefined || path === "") {
    return Promise.reject(
      new AgentError(
        AGENT_ERROR.UNAVAILABLE,
        "SSH_AUTH_SOCK is not set, so there is no ssh-agent to connect to (start one with `eval $(ssh-agent)`, or give the socket path)",
      ),
    );
  }
  return new Promise<AgentClient>((resolve, reject) => {
    const socket = net.connect({ path });
    let connectTimer: ReturnType<typeof setTimeout> | undefined;
    const fail = (error: AgentError) => {
      if (connectTimer) clearTimeout(connectTimer);
      socket.removeAllListeners("connect");
      socket.destroy();
      reject(error);
    };
    const onConnectError = (e: Error) =>
      fail(
        new AgentError(AGENT_ERROR.UNAVAILABLE, `cannot connect to the ssh-agent at ${path}: ${e.message}`, {
          cause: e,
        }),
      );
    socket.once("error", onConnectError);
    if (timeoutMs > 0) {
      connectTimer = setTimeout(
        () =>
          fail(new AgentError(AGENT_ERROR.TIMEOUT, `connecting to the ssh-agent at ${path} took over ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
    socket.once("connect", () => {
      if (connectTimer) clearTimeout(connectTimer);
      socket.removeListener("error", onConnectError);
      resolve(pumpAgentSocket(socket, path, timeoutMs));
    });
  });
}

/** Wires a connected socket to a new AgentClient. */
function pumpAgentSocket(socket: net.Socket, path: string, timeoutMs: number): AgentClient {
  let answerTimer: ReturnType<typeof setTimeout> | undefined;
  let socketError: Error | undefined;
  const stopTimer = () => {
    if (answerTimer) clearTimeout(answerTimer);
    answerTimer = undefined;
  };
  const connection: AgentConnection = {
    write(bytes) {
      // A request is waiting: keep the process alive and time the answer.
      socket.ref();
      stopTimer();
      if (timeoutMs > 0) {
        answerTimer = setTimeout(
          () =>
            client.abort(
              new AgentError(AGENT_ERROR.TIMEOUT, `the ssh-agent at ${path} did not answer within ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
      }
      socket.write(bytes);
    },
    close() {
      stopTimer();
      if (socket.destroyed) return;
      socket.end(() => socket.destroy());
      socket.unref();
    },
  };
  const client: AgentClient = new AgentClient(connection);
  socket.on("data", (b: Buffer) => {
    client.receive(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
    if (!client.busy) {
      stopTimer();
      socket.unref();
    }
  });
  socket.on("error", (e) => {
    socketError = e;
  });
  socket.on("close", () => {
    stopTimer();
    client.connectionClosed(socketError);
  });
  // Idle: an open agent connection alone does not keep the process running.
  socket.unref();
  return client;
}
