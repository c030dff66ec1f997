// @purssh/testkit: shared test infrastructure (private package; may use node: modules).
import type {} from "./provided.js";

export { type DuplexPairOptions, duplexPair, PipeEnd } from "./duplex-pair.js";
export { defaultOnMessage, FakeServer, type FakeServerOptions, MemoryLink, minimalKexinit } from "./fake-server.js";
export { type EchoServer, freePort, relayConnections, roundTripThrough, startEchoServer } from "./net.js";
export { pidAlive } from "./processes.js";
export type { ProvidedSshdKey } from "./provided.js";
export {
  DANTED_PATH,
  type DanteOptions,
  danteConfig,
  type ProxyServerHandle,
  type ProxyServerName,
  proxyServerAvailable,
  startDante,
  startSshSocksProxy,
  startTinyproxy,
  TINYPROXY_PATH,
  type TinyproxyOptions,
  tinyproxyConfig,
} from "./proxies.js";
export {
  PlaintextPeerReader,
  type ReceivedPacket,
  ScriptedClient,
  type ScriptedClientOptions,
  type SentPacket,
} from "./scripted-client.js";
export { requireSshd, type SkipContext } from "./skip.js";
export {
  type AgentKeyFile,
  type AgentKeyType,
  requireSshAgent,
  SSH_ADD_PATH,
  SSH_AGENT_PATH,
  SSH_KEYGEN_PATH,
  type SshAgentHandle,
  sshAgentAvailable,
  startSshAgent,
} from "./ssh-agent.js";
export {
  type ExtraHostKeyType,
  ensureTestUser,
  type HostKeyInfo,
  SSH_PATH,
  SSHD_PATH,
  type SshdHandle,
  type SshdInfo,
  type SshdOptions,
  SshdUnavailableError,
  sshdAvailable,
  sshdVersion,
  startSshd,
  TEST_PASSWORD,
  TEST_USER,
  toSshdInfo,
} from "./sshd.js";
export { buildSshdConfig, type OpenSshVersion, parseOpenSshVersion, type SshdConfigParams } from "./sshd-config.js";
export { isCi, randomBytes, sha256Hex, withTimeout } from "./util.js";
