// The algorithm matrix of OpenSSH's ssh against our embedded server (DESIGN.md testing layer 5,
// "every algorithm we offer"): every key exchange, host-key algorithm and cipher × MAC pair that
// `ssh -Q` lists and we implement, including the insecure ones we register for explicit opt-in
// (ssh too offers those only when named). Each run is `ssh -o <Algorithm>=X host upper` with a
// small stdin against its own server (so its one connection's negotiation is unambiguous); both
// ends must report X, and stdout and the exit status must be right. At most 4 ssh at once.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  isAeadCipher,
  supportedCiphers,
  supportedHostKeyAlgorithms,
  supportedKexAlgorithms,
  supportedMacs,
} from "@purssh/crypto";
import { generateKey, type PrivateKey, parsePrivateKey } from "@purssh/keys";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  cleanUp,
  makeWorkspace,
  mapLimit,
  requireSsh,
  runSsh,
  SSH_PATH,
  sshArgs,
  sshAvailable,
  startServer,
  type UserKey,
  type Workspace,
} from "./openssh.js";

const CONCURRENCY = 4;

/** `ssh -Q <query>`, or [] without ssh (then the tests fail under CI or skip, see requireSsh). */
function sshQuery(query: string): string[] {
  if (!sshAvailable()) return [];
  const r = spawnSync(SSH_PATH, ["-Q", query], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l !== "");
}

const both = (theirs: string[], ours: string[]) => theirs.filter((a) => ours.includes(a));
const KEX = both(sshQuery("kex"), supportedKexAlgorithms());
const HOST_KEY = both(sshQuery("HostKeyAlgorithms"), supportedHostKeyAlgorithms()).filter(
  (a) => !a.includes("-cert-") && !a.startsWith("sk-"), // no certificates or security keys to serve
);
const CIPHERS = both(sshQuery("cipher"), supportedCiphers());
const MACS = both(sshQuery("mac"), supportedMacs());

const hostKeys: PrivateKey[] = [
  generateKey({ type: "ed25519" }),
  generateKey({ type: "ecdsa", curve: "nistp256" }),
  generateKey({ type: "ecdsa", curve: "nistp384" }),
  generateKey({ type: "ecdsa", curve: "nistp521" }),
  parsePrivateKey(readFileSync(new URL("../../../test-vectors/keys/rsa-2048", import.meta.url), "utf8")),
];

let ws: Workspace;
let userKey: UserKey;

beforeAll(async () => {
  if (!sshAvailable()) return;
  ws = await makeWorkspace("openssh-matrix");
  userKey = await ws.keygen("id_ed25519", "ed25519");
});
afterAll(async () => {
  await ws?.remove();
});
beforeEach(() => requireSsh());
afterEach(cleanUp);

interface Negotiation {
  kex: string;
  hostKey: string;
  cipher: string;
  /** "<implicit>" for an AEAD cipher, as ssh prints it. */
  mac: string;
}

/**
 * One ssh run with `sshOptions`, against a server offering every algorithm both support. Returns
 * what each side says was negotiated; asserts the session itself worked.
 */
async function runOnce(label: string, sshOptions: string[]): Promise<{ ours: Negotiation; theirs: Negotiation }> {
  const s = await startServer(ws, {
    hostKeys,
    authorizedKeys: userKey.publicLine,
    algorithms: { kex: KEX, hostKey: HOST_KEY, cipher: CIPHERS, mac: MACS },
    exec: (req) => {
      const chunks: Buffer[] = [];
      req.stream.on("data", (d: Buffer) => chunks.push(d));
      req.stream.on("end", () => {
        req.stream.end(Buffer.concat(chunks).toString("latin1").toUpperCase());
        req.exit(7);
      });
    },
  });
  try {
    const input = `interop ${label} ${"x".repeat(3000)}`;
    const r = await runSsh(
      sshArgs(
        { port: s.port, identity: userKey.path, knownHosts: s.knownHosts, options: ["-v", ...sshOptions] },
        "upper",
      ),
      { input, ms: 60_000 },
    );
    expect(r.code, `${label}: ssh stderr:\n${r.stderr}\nserver log:\n${s.log.join("\n")}`).toBe(7);
    expect(r.stdout.toString(), label).toBe(input.toUpperCase());
    const line = s.log.find((l) => l.includes("negotiated kex ")) ?? "";
    const m = /negotiated kex (\S+), host key (\S+), ciphers ([^/]+)\/([^,]+)(?:, MACs ([^/]+)\/([^,]+))?/.exec(line);
    expect(m, `${label}: server log line ${line}`).not.toBeNull();
    expect(m![3], label).toBe(m![4]);
    expect(m![5], label).toBe(m![6]);
    const kexLine = (re: RegExp) => re.exec(r.stderr)?.[1] ?? "";
    return {
      ours: { kex: m![1]!, hostKey: m![2]!, cipher: m![3]!, mac: m![5] ?? "<implicit>" },
      theirs: {
        kex: kexLine(/kex: algorithm: (\S+)/),
        hostKey: kexLine(/kex: host key algorithm: (\S+)/),
        cipher: kexLine(/kex: client->server cipher: (\S+)/),
        mac: kexLine(/kex: client->server cipher: \S+ MAC: (\S+)/),
      },
    };
  } finally {
    await s.server.close();
  }
}

describe("OpenSSH ssh × our server: the algorithm matrix", () => {
  test("ssh -Q and our registry share the algorithms this matrix is meant to cover", () => {
    expect(KEX).toEqual(
      expect.arrayContaining([
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp384",
        "ecdh-sha2-nistp521",
        "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group-exchange-sha1",
        "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha256",
        "diffie-hellman-group14-sha1",
        "diffie-hellman-group1-sha1",
      ]),
    );
    expect(HOST_KEY).toEqual(
      expect.arrayContaining([
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-512",
        "rsa-sha2-256",
        "ssh-rsa",
      ]),
    );
    expect(CIPHERS).toEqual(
      expect.arrayContaining([
        "chacha20-poly1305@openssh.com",
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
      ]),
    );
    expect(MACS).toEqual(
      expect.arrayContaining([
        "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-512",
        "hmac-sha1",
      ]),
    );
  });

  test(`every key exchange: ${KEX.join(", ")}`, { timeout: 120_000 }, async () => {
    const results = await mapLimit(KEX, CONCURRENCY, (kex) => runOnce(kex, ["-o", `KexAlgorithms=${kex}`]));
    for (const [i, kex] of KEX.entries()) {
      expect(results[i]!.ours.kex, kex).toBe(kex);
      expect(results[i]!.theirs.kex, kex).toBe(kex);
    }
  });

  test(`every host-key algorithm, each pinned in known_hosts: ${HOST_KEY.join(", ")}`, {
    timeout: 60_000,
  }, async () => {
    const results = await mapLimit(HOST_KEY, CONCURRENCY, (alg) => runOnce(alg, ["-o", `HostKeyAlgorithms=${alg}`]));
    for (const [i, alg] of HOST_KEY.entries()) {
      expect(results[i]!.ours.hostKey, alg).toBe(alg);
      expect(results[i]!.theirs.hostKey, alg).toBe(alg);
    }
  });

  const pairs = CIPHERS.flatMap((cipher) =>
    isAeadCipher(cipher) ? [{ cipher, mac: "<implicit>" }] : MACS.map((mac) => ({ cipher, mac })),
  );
  test(`every cipher × MAC: ${CIPHERS.length} ciphers, ${MACS.length} MACs for the non-AEAD ones (${pairs.length} runs)`, {
    timeout: 120_000,
  }, async () => {
    const results = await mapLimit(pairs, CONCURRENCY, ({ cipher, mac }) =>
      runOnce(`${cipher} ${mac}`, ["-o", `Ciphers=${cipher}`, ...(mac === "<implicit>" ? [] : ["-o", `MACs=${mac}`])]),
    );
    for (const [i, { cipher, mac }] of pairs.entries()) {
      expect(results[i]!.ours, `${cipher} ${mac}`).toMatchObject({ cipher, mac });
      expect(results[i]!.theirs, `${cipher} ${mac}`).toMatchObject({ cipher, mac });
    }
  });
});
