// OpenSSH's ssh logging in to our embedded server with every user-authentication method it
// implements (RFC 4252 §7 publickey with ed25519, ECDSA and RSA keys made by ssh-keygen — RSA
// signing with rsa-sha2-* per RFC 8332 —, §8 password, RFC 4256 keyboard-interactive, OpenSSH
// user certificates), and the refusals ssh reports as "Permission denied". Passwords reach ssh
// through an SSH_ASKPASS script (SSH_ASKPASS_REQUIRE=force; BatchMode=yes would forbid prompts).

import { readFile } from "node:fs/promises";
import { type AuthPolicy, type AuthResult, authorizedKeysPolicy } from "@purssh/auth";
import { generateKey } from "@purssh/keys";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  cleanUp,
  keygen,
  makeWorkspace,
  requireSsh,
  runSsh,
  type StartedServer,
  sshArgs,
  sshAvailable,
  sshEnv,
  startServer,
  type Workspace,
} from "./openssh.js";

const hostKey = generateKey({ type: "ed25519" });
const PASSWORD = "correct horse battery staple";

let ws: Workspace;

beforeAll(async () => {
  if (sshAvailable()) ws = await makeWorkspace("openssh-auth");
});
afterAll(async () => {
  await ws?.remove();
});
beforeEach(() => requireSsh());
afterEach(cleanUp);

/** Starts a server whose exec answers `whoami` with the login's methods; records each login. */
async function server(auth: AuthPolicy): Promise<StartedServer & { logins: AuthResult[] }> {
  const logins: AuthResult[] = [];
  const s = await startServer(ws, {
    hostKeys: [hostKey],
    auth,
    exec: (req) => {
      req.stream.end(`${req.login.username} ${req.login.methods.join("+")}\n`);
      req.exit(0);
    },
  });
  s.server.on("connection", (c) => c.on("authenticated", (r: AuthResult) => logins.push(r)));
  return { ...s, logins };
}

/** An askpass script that prints `answer` and appends the prompt it was shown to a file. */
async function askpass(
  name: string,
  answer: string,
): Promise<{ env: NodeJS.ProcessEnv; prompts: () => Promise<string> }> {
  const promptsFile = `${ws.dir}/${name}.prompts`;
  const script = await ws.write(
    `${name}.sh`,
    `#!/bin/sh\nprintf '%s\\n' "$1" >> '${promptsFile}'\nprintf '%s\\n' '${answer}'\n`,
    0o700,
  );
  return {
    env: sshEnv({ SSH_ASKPASS: script, SSH_ASKPASS_REQUIRE: "force" }),
    prompts: () => readFile(promptsFile, "utf8").catch(() => ""),
  };
}

describe("publickey (RFC 4252 §7) with ssh-keygen keys", () => {
  const cases = [
    ["ed25519", ["ssh-ed25519"]],
    ["ecdsa", ["ecdsa-sha2-nistp256"]],
    ["ecdsa384", ["ecdsa-sha2-nistp384"]],
    ["ecdsa521", ["ecdsa-sha2-nistp521"]],
    // RFC 8332: OpenSSH signs with rsa-sha2-512 (first in our server-sig-algs), never ssh-rsa.
    ["rsa", ["rsa-sha2-512", "rsa-sha2-256"]],
  ] as const;
  for (const [type, algorithms] of cases) {
    test(`${/^[ae]/.test(type) ? "an" : "a"} ${type} key in authorized_keys logs in; the signature algorithm is ${algorithms.join(" or ")}`, async () => {
      const key = await ws.keygen(`id_${type}`, type);
      const signed: string[] = [];
      const policy = authorizedKeysPolicy({ authorizedKeys: `${key.publicLine}\n` });
      const s = await server({
        publicKey: (ctx, candidate) => {
          if (candidate.signed) signed.push(candidate.algorithm);
          return policy(ctx, candidate);
        },
      });
      const r = await runSsh(sshArgs({ port: s.port, identity: key.path, knownHosts: s.knownHosts }, "whoami"));
      expect(r.stderr).toBe("");
      expect(r.stdout.toString()).toBe("alice publickey\n");
      expect(r.code).toBe(0);
      expect(signed).toHaveLength(1);
      expect(algorithms).toContain(signed[0]);
      expect(s.logins.map((l) => l.publicKey?.type)).toEqual([key.publicLine.split(" ")[0]]);
    });
  }

  test("RFC 8332: with PubkeyAcceptedAlgorithms=rsa-sha2-256 ssh signs with rsa-sha2-256 and it verifies", async () => {
    const key = await ws.keygen("id_rsa256", "rsa");
    const signed: string[] = [];
    const policy = authorizedKeysPolicy({ authorizedKeys: key.publicLine });
    const s = await server({
      publicKey: (ctx, c) => {
        if (c.signed) signed.push(c.algorithm);
        return policy(ctx, c);
      },
    });
    const r = await runSsh(
      sshArgs(
        {
          port: s.port,
          identity: key.path,
          knownHosts: s.knownHosts,
          options: ["-o", "PubkeyAcceptedAlgorithms=rsa-sha2-256"],
        },
        "whoami",
      ),
    );
    expect(r.code).toBe(0);
    expect(signed).toEqual(["rsa-sha2-256"]);
  });

  test("a key not in authorized_keys: ssh exits 255 with Permission denied (publickey)", async () => {
    const allowed = await ws.keygen("id_allowed", "ed25519");
    const other = await ws.keygen("id_other", "ed25519");
    const s = await server({ publicKey: authorizedKeysPolicy({ authorizedKeys: allowed.publicLine }) });
    const r = await runSsh(sshArgs({ port: s.port, identity: other.path, knownHosts: s.knownHosts }, "whoami"));
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/alice@127\.0\.0\.1: Permission denied \(publickey\)/);
    expect(r.stdout.length).toBe(0);
    expect(s.logins).toEqual([]);
  });
});

describe("OpenSSH user certificates (PROTOCOL.certkeys) via trustedUserCAKeys", () => {
  let ca: { path: string; publicLine: string };
  beforeAll(async () => {
    if (!sshAvailable()) return;
    ca = await ws.keygen("user_ca", "ed25519");
  });

  async function certified(name: string, principals: string): Promise<string> {
    const key = await ws.keygen(name, "ed25519");
    await keygen(["-q", "-s", ca.path, "-I", `${name}-id`, "-n", principals, "-V", "-5m:+1h", `${key.path}.pub`]);
    return key.path; // ssh loads <path>-cert.pub next to the key by itself
  }

  test("a certificate signed by a trusted CA for principal alice logs in (no authorized_keys)", async () => {
    const identity = await certified("id_cert_alice", "alice");
    const s = await server({ trustedUserCAKeys: [ca.publicLine] });
    const r = await runSsh(
      sshArgs(
        { port: s.port, identity, knownHosts: s.knownHosts, options: ["-o", `CertificateFile=${identity}-cert.pub`] },
        "whoami",
      ),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.toString()).toBe("alice publickey\n");
    expect(r.code).toBe(0);
    expect(s.logins[0]?.certificate).toBeDefined();
  });

  test("a certificate whose principals do not include alice is refused", async () => {
    const identity = await certified("id_cert_bob", "bob,carol");
    const s = await server({ trustedUserCAKeys: [ca.publicLine] });
    const r = await runSsh(
      sshArgs(
        { port: s.port, identity, knownHosts: s.knownHosts, options: ["-o", `CertificateFile=${identity}-cert.pub`] },
        "whoami",
      ),
    );
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
    expect(s.logins).toEqual([]);
  });

  test("a certificate from an untrusted CA is refused", async () => {
    const identity = await certified("id_cert_untrusted", "alice");
    const otherCa = await ws.keygen("other_ca", "ed25519");
    const s = await server({ trustedUserCAKeys: [otherCa.publicLine] });
    const r = await runSsh(
      sshArgs(
        { port: s.port, identity, knownHosts: s.knownHosts, options: ["-o", `CertificateFile=${identity}-cert.pub`] },
        "whoami",
      ),
    );
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
  });
});

describe("password (RFC 4252 §8) and keyboard-interactive (RFC 4256) through SSH_ASKPASS", () => {
  const passwordPolicy: AuthPolicy = { password: (ctx, pw) => ctx.username === "alice" && pw === PASSWORD };
  const kbdintPolicy: AuthPolicy = {
    keyboardInteractive: (ctx) =>
      ctx.username === "alice" && {
        name: "purssh",
        instruction: "one-time code",
        prompts: [{ prompt: "Verification code: ", echo: false }],
        verify: (responses) => responses.length === 1 && responses[0] === PASSWORD,
      },
  };
  const methods = [
    ["password", passwordPolicy, /alice@127\.0\.0\.1's password:/],
    ["keyboard-interactive", kbdintPolicy, /Verification code:/],
  ] as const;

  for (const [method, policy, prompt] of methods) {
    test(`${method}: the right answer logs in; ssh showed the server's prompt to askpass`, async () => {
      const s = await server(policy);
      const pass = await askpass(`${method}-ok`, PASSWORD);
      const r = await runSsh(
        sshArgs(
          {
            port: s.port,
            knownHosts: s.knownHosts,
            batchMode: false,
            options: ["-o", `PreferredAuthentications=${method}`],
          },
          "whoami",
        ),
        { env: pass.env },
      );
      expect(r.stdout.toString()).toBe(`alice ${method}\n`);
      expect(r.code).toBe(0);
      expect(await pass.prompts()).toMatch(prompt);
    });

    test(`${method}: a wrong answer makes ssh exit 255 with Permission denied`, async () => {
      const s = await server(policy);
      const pass = await askpass(`${method}-bad`, "wrong");
      const r = await runSsh(
        sshArgs(
          {
            port: s.port,
            knownHosts: s.knownHosts,
            batchMode: false,
            options: ["-o", `PreferredAuthentications=${method}`, "-o", "NumberOfPasswordPrompts=2"],
          },
          "whoami",
        ),
        { env: pass.env },
      );
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(new RegExp(`Permission denied \\(${method}\\)`));
      expect(r.stdout.length).toBe(0);
      expect(s.logins).toEqual([]);
      expect(s.log.filter((l) => new RegExp(`${method} failed for alice`).test(l)).length).toBeGreaterThanOrEqual(2);
    });
  }

  test("a user the policy does not know is refused like a wrong password", async () => {
    const s = await server(passwordPolicy);
    const pass = await askpass("mallory", PASSWORD);
    const r = await runSsh(
      sshArgs(
        {
          port: s.port,
          user: "mallory",
          knownHosts: s.knownHosts,
          batchMode: false,
          options: ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1"],
        },
        "whoami",
      ),
      { env: pass.env },
    );
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/mallory@127\.0\.0\.1: Permission denied \(password\)/);
  });
});
