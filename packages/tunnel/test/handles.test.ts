// SSHLogoff leaves no open handles: shown by a child process that must exit by itself.
// (Vitest cannot see open handles; a process that exits on its own has none.)
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { requireSshd } from "@purssh/testkit";
import { describe, expect, inject, test } from "vitest";

const sshd = inject("sshd");
const child = fileURLToPath(new URL("./fixtures/logoff-child.mjs", import.meta.url));

describe.skipIf(!sshd)("SSHLogoff", () => {
  test("leaves no handles: the built package's process exits by itself after logoff", { timeout: 30_000 }, async () => {
    const s = requireSshd(sshd);
    const proc = spawn(process.execPath, [child], {
      env: {
        ...process.env,
        SSHD_HOST: s.host,
        SSHD_PORT: String(s.port),
        SSHD_USER: s.user,
        SSHD_PASSWORD: s.password,
        SSHD_HOSTKEY: s.hostKeyPublic,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    proc.stdout.on("data", (d) => (out += d));
    proc.stderr.on("data", (d) => (err += d));
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill("SIGKILL");
        resolve("did not exit within 15 s after logoff");
      }, 15_000);
      proc.on("exit", (c) => {
        clearTimeout(timer);
        resolve(c ?? -1);
      });
    });
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out.trim()).toBe("done ping");
  });
});
