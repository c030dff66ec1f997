// Self-test of the OpenSSH sshd harness, using the real OpenSSH client.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildSshdConfig,
  freePort,
  parseOpenSshVersion,
  pidAlive,
  randomBytes,
  requireSshd,
  SSH_PATH,
  sha256Hex,
  startEchoServer,
  startSshd,
  withTimeout,
} from "@purssh/testkit";
import { describe, expect, inject, it } from "vitest";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The OpenSSH client with no user config, no agent, no known_hosts, no prompts. */
function ssh(s: { port: number; userKeyPath: string; user: string }, extra: string[], command = "echo hello") {
  return run(SSH_PATH, [
    "-F",
    "/dev/null",
    "-i",
    s.userKeyPath,
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "ConnectTimeout=10",
    "-p",
    String(s.port),
    ...extra,
    `${s.user}@127.0.0.1`,
    command,
  ]);
}

const sshd = inject("sshd");
const gcm = inject("sshdAes256Gcm");

describe.skipIf(!sshd)("default sshd from global setup", () => {
  it("accepts the generated user key (ssh … echo hello)", async () => {
    const s = requireSshd(sshd);
    const r = await ssh(s, []);
    expect(r.stderr).not.toContain("Permission denied");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("hello");
  });

  it("accepts the test password", async () => {
    const s = requireSshd(sshd);
    const dir = await mkdtemp(join(tmpdir(), "purssh-askpass-"));
    try {
      const askpass = join(dir, "askpass.sh");
      await writeFile(askpass, `#!/bin/sh\necho '${s.password}'\n`);
      await chmod(askpass, 0o700);
      const env = { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: "none" };
      const r = await run(
        SSH_PATH,
        [
          "-F",
          "/dev/null",
          "-o",
          "StrictHostKeyChecking=no",
          "-o",
          "UserKnownHostsFile=/dev/null",
          "-o",
          "PreferredAuthentications=password",
          "-o",
          "PubkeyAuthentication=no",
          "-o",
          "NumberOfPasswordPrompts=1",
          "-p",
          String(s.port),
          `${s.user}@127.0.0.1`,
          "echo pw-ok",
        ],
        env,
      );
      expect(r.stdout.trim(), r.stderr).toBe("pw-ok");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("presents the advertised host key and fingerprint", async () => {
    const s = requireSshd(sshd);
    expect(s.hostKeyPublic).toMatch(/^ssh-ed25519 AAAA/);
    expect(s.userPublicKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(s.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const r = await ssh(s, ["-v"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Server host key: ssh-ed25519 ${s.hostKeyFingerprint}`);
  });

  it("logs at DEBUG1 (negotiated ciphers are visible)", async () => {
    const s = requireSshd(sshd);
    expect(s.version).toMatch(/^OpenSSH_\d+\.\d+/);
    const r = await ssh(s, ["-c", "aes128-ctr", "-m", "hmac-sha2-256"]);
    expect(r.code).toBe(0);
    expect(readFileSync(s.logPath, "utf8")).toMatch(/kex: client->server cipher: aes128-ctr MAC: hmac-sha2-256/);
  });
});

describe.skipIf(!gcm)("aes256-gcm-only sshd from global setup", () => {
  it("negotiates aes256-gcm@openssh.com", async () => {
    const s = requireSshd(gcm);
    const r = await ssh(s, ["-vv", "-c", "aes256-gcm@openssh.com"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("hello");
    expect(r.stderr).toMatch(/kex: server->client cipher: aes256-gcm@openssh\.com/);
  });

  it("refuses chacha20-poly1305@openssh.com", async () => {
    const s = requireSshd(gcm);
    const r = await ssh(s, ["-c", "chacha20-poly1305@openssh.com"]);
    expect(r.code).toBe(255);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/no matching cipher found.*aes256-gcm@openssh\.com/);
  });
});

describe.skipIf(!sshd)("startSshd / stop", () => {
  it("stop() leaves no process behind, even with a session open", { timeout: 60_000 }, async () => {
    const h = await startSshd({ name: "selftest", extraConfig: ["MaxAuthTries 3"] });
    const pid = h.pid;
    expect(pidAlive(pid)).toBe(true);
    expect(h.readLog()).toMatch(/Server listening on 127\.0\.0\.1 port/);
    // A live session gives sshd per-connection children (setsid'd), which stop() must end too.
    const session = ssh(h, [], "echo started; sleep 60");
    const deadline = Date.now() + 10_000;
    while (!/Accepted publickey/.test(h.readLog()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(h.readLog()).toMatch(/Accepted publickey for purssh/);
    await h.stop();
    expect(pidAlive(pid)).toBe(false);
    const r = await withTimeout(session, 10_000, "ssh session after stop");
    expect(r.code).not.toBe(0); // the connection was cut
    await expect(withTimeout(probe(h.port), 5_000, "probe")).resolves.toBe(false);
    expect(existsSync(h.dir)).toBe(false);
    expect(h.readLog()).toMatch(/Received signal 15; terminating/);
    await h.stop(); // idempotent
  });

  it("honours algorithm options and extraConfig overrides", { timeout: 60_000 }, async () => {
    const h = await startSshd({
      name: "algos",
      kex: ["curve25519-sha256"],
      macs: ["hmac-sha2-512-etm@openssh.com"],
      ciphers: ["aes128-ctr"],
      hostKeyAlgorithms: ["ssh-ed25519"],
      extraConfig: ["LogLevel VERBOSE"],
    });
    try {
      const r = await ssh(h, ["-v"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("kex: algorithm: curve25519-sha256");
      expect(r.stderr).toContain("kex: server->client cipher: aes128-ctr MAC: hmac-sha2-512-etm@openssh.com");
      const log = h.readLog();
      expect(log).toMatch(/Accepted publickey for purssh/);
      expect(log).not.toMatch(/debug1:/); // LogLevel VERBOSE replaced the default DEBUG1
      const bad = await ssh(h, ["-o", "KexAlgorithms=ecdh-sha2-nistp256"]);
      expect(bad.code).toBe(255);
      expect(bad.stderr).toMatch(/no matching key exchange method found/);
    } finally {
      await h.stop();
    }
  });

  it("offers extra host key types on request", { timeout: 60_000 }, async () => {
    const h = await startSshd({ name: "hostkeys", extraHostKeyTypes: ["ecdsa"] });
    try {
      expect(h.hostKeys.map((k) => k.type)).toEqual(["ed25519", "ecdsa"]);
      const r = await ssh(h, ["-v", "-o", "HostKeyAlgorithms=ecdsa-sha2-nistp256"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`Server host key: ecdsa-sha2-nistp256 ${h.hostKeys[1]!.fingerprint}`);
    } finally {
      await h.stop();
    }
  });

  it("reports a config sshd -t rejects, with its stderr", async () => {
    await expect(startSshd({ name: "bad", extraConfig: ["NoSuchKeyword yes"] })).rejects.toThrow(
      /sshd -t rejected.*NoSuchKeyword/s,
    );
  });
});

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

describe("sshd_config generation", () => {
  const base = {
    port: 2222,
    hostKeyPaths: ["/k/host"],
    pidFile: "/k/pid",
    authorizedKeysFile: "/k/ak",
  };

  it("gates PerSourcePenalties on OpenSSH 9.8", () => {
    expect(buildSshdConfig({ ...base, version: parseOpenSshVersion("OpenSSH_9.2p1 Debian") })).not.toContain(
      "PerSourcePenalties",
    );
    expect(buildSshdConfig({ ...base, version: parseOpenSshVersion("OpenSSH_9.8p1, OpenSSL") })).toContain(
      "PerSourcePenalties no",
    );
    expect(buildSshdConfig({ ...base, version: parseOpenSshVersion("OpenSSH_10.0p2") })).toContain(
      "PerSourcePenalties no",
    );
  });

  it("writes algorithm lines and lets extraConfig replace defaults", () => {
    const cfg = buildSshdConfig({
      ...base,
      version: null,
      ciphers: ["aes256-gcm@openssh.com", "aes128-ctr"],
      extraConfig: ["MaxSessions 1", "HostKey /k/other", "Match User nobody", "  PasswordAuthentication no"],
    });
    expect(cfg).toContain("Ciphers aes256-gcm@openssh.com,aes128-ctr\n");
    expect(cfg).not.toContain("MaxSessions 100");
    expect(cfg).toContain("MaxSessions 1\n");
    expect(cfg).toContain("HostKey /k/host\n");
    expect(cfg).toContain("HostKey /k/other\n");
    expect(cfg).toContain("PasswordAuthentication yes\n"); // only overridden inside the Match block
    expect(cfg).not.toContain("KexAlgorithms");
  });
});

describe("helpers", () => {
  it("freePort returns a bindable port", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  it("startEchoServer echoes and counts connections", async () => {
    const echo = await startEchoServer();
    try {
      const data = randomBytes(200_000);
      const back = await withTimeout(
        new Promise<Uint8Array>((resolve, reject) => {
          const chunks: Buffer[] = [];
          let n = 0;
          const s = connect({ host: "127.0.0.1", port: echo.port }, () => s.write(data));
          s.on("data", (c: Buffer) => {
            chunks.push(c);
            n += c.length;
            if (n >= data.length) {
              s.destroy();
              resolve(new Uint8Array(Buffer.concat(chunks)));
            }
          });
          s.on("error", reject);
        }),
        10_000,
        "echo",
      );
      expect(sha256Hex(back)).toBe(sha256Hex(data));
      expect(echo.connections).toBe(1);
    } finally {
      await echo.close();
    }
  });

  it("sha256Hex matches a known answer", () => {
    expect(sha256Hex(new TextEncoder().encode("abc"))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("withTimeout rejects with the label", async () => {
    await expect(withTimeout(new Promise(() => {}), 20, "never")).rejects.toThrow("never timed out after 20 ms");
    await expect(withTimeout(Promise.resolve(7), 20, "x")).resolves.toBe(7);
  });

  it("requireSshd returns the value, skips on null, and throws under CI", () => {
    const info = { port: 1 } as unknown as Parameters<typeof requireSshd>[0] & object;
    expect(requireSshd(info)).toBe(info);
    const notes: (string | undefined)[] = [];
    const ctx = {
      skip: (note?: string): never => {
        notes.push(note);
        throw new Error("skipped");
      },
    };
    const saved = process.env.CI;
    try {
      process.env.CI = "false";
      expect(() => requireSshd(null, ctx)).toThrow("skipped");
      expect(notes[0]).toMatch(/sshd is not available/);
      process.env.CI = "true";
      expect(() => requireSshd(null, ctx)).toThrow(/CI=true/);
      expect(notes).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
