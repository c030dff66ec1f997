/**
 * Algorithm negotiation, RFC 4253 §7.1: for each category the first algorithm on the client's
 * list that the server also supports wins. Pseudo-algorithms (strict-kex and ext-info markers,
 * RFC 8308 §2.1, OpenSSH PROTOCOL §1.9) are never selected.
 * @module
 */
import { getCipher } from "@purssh/crypto";
import { DISCONNECT, type Kexinit, ProtocolError } from "@purssh/wire";

export const STRICT_KEX_CLIENT = "kex-strict-c-v00@openssh.com";
export const STRICT_KEX_SERVER = "kex-strict-s-v00@openssh.com";
export const EXT_INFO_CLIENT = "ext-info-c";
export const EXT_INFO_SERVER = "ext-info-s";
const MARKERS = new Set([STRICT_KEX_CLIENT, STRICT_KEX_SERVER, EXT_INFO_CLIENT, EXT_INFO_SERVER]);

/** Our preference lists, most preferred first. */
export interface AlgorithmPreferences {
  kex: readonly string[];
  hostKey: readonly string[];
  cipher: readonly string[];
  mac: readonly string[];
  compression: readonly string[];
}

export interface NegotiatedAlgorithms {
  kex: string;
  hostKey: string;
  cipherClientToServer: string;
  cipherServerToClient: string;
  /** Empty when the cipher is an AEAD (its tag is the MAC: OpenSSH PROTOCOL §1.6). */
  macClientToServer: string;
  macServerToClient: string;
  compressionClientToServer: string;
  compressionServerToClient: string;
}

function choose(category: string, client: readonly string[], server: readonly string[]): string {
  const s = new Set(server);
  const found = client.find((a) => !MARKERS.has(a) && s.has(a));
  if (found === undefined) {
    throw new ProtocolError(
      "ERR_KEX_NO_COMMON_ALGORITHM",
      `no common ${category} algorithm; we offered [${client.filter((a) => !MARKERS.has(a)).join(", ")}], the server offered [${server.filter((a) => !MARKERS.has(a)).join(", ")}]`,
      DISCONNECT.KEY_EXCHANGE_FAILED,
    );
  }
  return found;
}

function chooseMac(category: string, cipher: string, client: readonly string[], server: readonly string[]): string {
  return getCipher(cipher)?.aead ? "" : choose(category, client, server);
}

/** RFC 4253 §7.1 negotiation from the two KEXINIT messages. */
export function negotiate(client: Kexinit, server: Kexinit): NegotiatedAlgorithms {
  const cipherClientToServer = choose(
    "client-to-server cipher",
    client.encryptionAlgorithmsClientToServer,
    server.encryptionAlgorithmsClientToServer,
  );
  const cipherServerToClient = choose(
    "server-to-client cipher",
    client.encryptionAlgorithmsServerToClient,
    server.encryptionAlgorithmsServerToClient,
  );
  return {
    kex: choose("key exchange", client.kexAlgorithms, server.kexAlgorithms),
    hostKey: choose("host key", client.serverHostKeyAlgorithms, server.serverHostKeyAlgorithms),
    cipherClientToServer,
    cipherServerToClient,
    macClientToServer: chooseMac(
      "client-to-server MAC",
      cipherClientToServer,
      client.macAlgorithmsClientToServer,
      server.macAlgorithmsClientToServer,
    ),
    macServerToClient: chooseMac(
      "server-to-client MAC",
      cipherServerToClient,
      client.macAlgorithmsServerToClient,
      server.macAlgorithmsServerToClient,
    ),
    compressionClientToServer: choose(
      "client-to-server compression",
      client.compressionAlgorithmsClientToServer,
      server.compressionAlgorithmsClientToServer,
    ),
    compressionServerToClient: choose(
      "server-to-client compression",
      client.compressionAlgorithmsServerToClient,
      server.compressionAlgorithmsServerToClient,
    ),
  };
}

/**
 * RFC 4253 §7.1: if the peer sent a guessed kex packet and its guess (its first kex and host-key
 * algorithm) was wrong, the guessed packet must be ignored.
 */
export function guessWasWrong(guesser: Kexinit, negotiated: NegotiatedAlgorithms): boolean {
  const firstReal = (l: readonly string[]) => l.find((a) => !MARKERS.has(a));
  return (
    firstReal(guesser.kexAlgorithms) !== negotiated.kex || guesser.serverHostKeyAlgorithms[0] !== negotiated.hostKey
  );
}

/** Builds our KEXINIT; markers are only appended to the first one (strict kex rule 1). */
export function buildKexinit(
  prefs: AlgorithmPreferences,
  cookie: Uint8Array,
  role: "client" | "server",
  initial: boolean,
): Kexinit {
  const markers = initial
    ? role === "client"
      ? [EXT_INFO_CLIENT, STRICT_KEX_CLIENT]
      : [EXT_INFO_SERVER, STRICT_KEX_SERVER]
    : [];
  return {
    cookie,
    kexAlgorithms: [...prefs.kex, ...markers],
    serverHostKeyAlgorithms: [...prefs.hostKey],
    encryptionAlgorithmsClientToServer: [...prefs.cipher],
    encryptionAlgorithmsServerToClient: [...prefs.cipher],
    macAlgorithmsClientToServer: [...prefs.mac],
    macAlgorithmsServerToClient: [...prefs.mac],
    compressionAlgorithmsClientToServer: [...prefs.compression],
    compressionAlgorithmsServerToClient: [...prefs.compression],
    languagesClientToServer: [],
    languagesServerToClient: [],
    firstKexPacketFollows: false,
    reserved: 0,
  };
}
