/**
 * ssh-agent identities as publickey methods for `connect()` (RFC 4252 §7 with signatures from an
 * agent, draft-miller-ssh-agent): lists the agent's keys and offers each one, in the agent's
 * order, after the publickey methods already configured and before the first method of another
 * kind (password, keyboard-interactive) — the order OpenSSH's ssh(1) uses.
 * @module
 */
import type { AuthMethod } from "@purssh/auth";
import { AgentClient } from "@purssh/keys";
import { connectAgent } from "@purssh/net";
import { toHex } from "@purssh/wire";

/** Which agent `connect()` uses: a socket path, `true` for SSH_AUTH_SOCK, or a connected client. */
export type AgentOption = string | true | AgentClient;

/** The agent behind the methods added by addAgentMethods. */
export interface AgentMethods {
  /** How many identities were added. */
  readonly added: number;
  /** Closes the agent connection if addAgentMethods opened it; a caller's AgentClient stays open. */
  close(): void;
}

/**
 * Connects to the agent (unless given a client), lists its identities and inserts one publickey
 * method per identity into `methods`, skipping keys already offered. Rejects with the agent's
 * AgentError (ERR_AGENT_UNAVAILABLE when there is no agent, …); a connection it opened is closed
 * then.
 */
export async function addAgentMethods(
  methods: AuthMethod[],
  agent: AgentOption,
  options: { timeoutMs: number; log?(level: 1 | 2 | 3, text: string): void },
): Promise<AgentMethods> {
  const owned = !(agent instanceof AgentClient);
  const client =
    agent instanceof AgentClient
      ? agent
      : await connectAgent(agent === true ? undefined : agent, { timeoutMs: options.timeoutMs });
  const close = () => {
    if (owned) client.close();
  };
  try {
    const identities = await client.identities();
    const offered = new Set(methods.flatMap((m) => (m.kind === "publickey" ? [toHex(m.key.publicKey.blob)] : [])));
    const fresh = identities.filter((id) => !offered.has(toHex(id.publicKey.blob)));
    const at = methods.findIndex((m) => m.kind !== "publickey");
    methods.splice(
      at < 0 ? methods.length : at,
      0,
      ...fresh.map((id): AuthMethod => ({ kind: "publickey", key: client.signer(id) })),
    );
    options.log?.(
      2,
      `ssh-agent: ${identities.length} identities${fresh.length < identities.length ? `, ${identities.length - fresh.length} already configured` : ""}`,
    );
    return { added: fresh.length, close };
  } catch (e) {
    close();
    throw e;
  }
}
