// RFC 4256 keyboard-interactive against the real sshd, which asks through PAM (UsePAM yes): our
// per-prompt callback sees sshd's "Password:" prompt (echo off) and logs in; a wrong answer is
// refused and the error lists what the server still allows.
import { readFileSync } from "node:fs";
import { connect } from "@purssh/client";
import { requireSshd, type SshdHandle, startSshd, TEST_PASSWORD } from "@purssh/testkit";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

const available = inject("sshd");

describe.skipIf(!available)("keyboard-interactive against OpenSSH sshd (PAM)", { timeout: 60_000 }, () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    requireSshd(available);
    sshd = await startSshd({
      name: "kbdint",
      extraConfig: ["KbdInteractiveAuthentication yes", "UsePAM yes", "PasswordAuthentication no"],
    });
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  test("the password typed at sshd's PAM prompt logs in", async () => {
    const seen: { prompt: string; echo: boolean }[] = [];
    const client = await connect({
      host: "127.0.0.1",
      port: sshd.port,
      username: sshd.user,
      hostKeys: [sshd.hostKeyFingerprint],
      keyboardInteractive: (challenge) => {
        seen.push(...challenge.prompts);
        return challenge.prompts.map(() => TEST_PASSWORD);
      },
    });
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen[0]!.prompt).toMatch(/password/i);
    expect(seen[0]!.echo).toBe(false);
    const r = await client.exec("echo kbd-int-ok");
    expect(new TextDecoder().decode(r.stdout).trim()).toBe("kbd-int-ok");
    expect(r.exitStatus).toBe(0);
    await client.close();
  });

  test("a wrong answer fails cleanly with ERR_AUTH_FAILED", async () => {
    await expect(
      connect({
        host: "127.0.0.1",
        port: sshd.port,
        username: sshd.user,
        hostKeys: [sshd.hostKeyFingerprint],
        keyboardInteractive: (challenge) => challenge.prompts.map(() => "wrong password"),
        timeoutMs: 30_000,
      }),
    ).rejects.toMatchObject({ code: "ERR_AUTH_FAILED" });
  });
});

describe.skipIf(!available)("multi-factor against OpenSSH sshd (AuthenticationMethods)", { timeout: 60_000 }, () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    requireSshd(available);
    sshd = await startSshd({ name: "multifactor", extraConfig: ["AuthenticationMethods publickey,password"] });
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  test("publickey then password (partial success) logs in; either alone is refused", async () => {
    const key = readFileSync(sshd.userKeyPath, "utf8");
    const common = { host: "127.0.0.1", port: sshd.port, username: sshd.user, hostKeys: [sshd.hostKeyFingerprint] };
    const client = await connect({ ...common, privateKey: key, password: TEST_PASSWORD });
    const r = await client.exec("echo two-factors");
    expect(new TextDecoder().decode(r.stdout).trim()).toBe("two-factors");
    await client.close();
    await expect(connect({ ...common, privateKey: key })).rejects.toMatchObject({ code: "ERR_AUTH_FAILED" });
    await expect(connect({ ...common, password: TEST_PASSWORD })).rejects.toMatchObject({ code: "ERR_AUTH_FAILED" });
  });
});
