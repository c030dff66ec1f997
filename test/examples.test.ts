// The README's quick-start examples run as written (against the sshd started by global setup),
// importing the built packages the way outside code does.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { requireSshd } from "@purssh/testkit";
import { describe, expect, inject, test } from "vitest";

const sshd = inject("sshd");
const root = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);

describe.skipIf(!sshd)("README quick-start examples", { timeout: 60_000 }, () => {
  for (const [file, expected] of [
    ["examples/seed-tunnel.ts", /connection 1 opened\nhello through purssh/],
    ["examples/idiomatic.ts", /connection from 127\.0\.0\.1:\d+\nreply: HELLO/],
  ] as const) {
    test(`${file} runs and tunnels a request`, async () => {
      const s = requireSshd(sshd);
      const { stdout } = await run(process.execPath, ["--import", "tsx", file], {
        cwd: root,
        timeout: 45_000,
        env: {
          ...process.env,
          SSH_HOST: s.host,
          SSH_PORT: String(s.port),
          SSH_USER: s.user,
          SSH_PASSWORD: s.password,
          SSH_FINGERPRINT: s.hostKeyFingerprint,
        },
      });
      expect(stdout).toMatch(expected);
    });
  }
});
