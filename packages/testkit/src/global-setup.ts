// Vitest globalSetup (vitest.config.ts): one default sshd and one aes256-gcm-only sshd for the
// whole run, handed to tests with `provide` → `inject("sshd")` / `inject("sshdAes256Gcm")`.
// Without sshd: under CI=true the run fails; otherwise tests get null and skip (see skip.ts).
import type { TestProject } from "vitest/node";
import type {} from "./provided.js";
import {
  SSHD_PATH,
  type SshdHandle,
  SshdUnavailableError,
  sshdAvailable,
  sshdVersion,
  startSshd,
  toSshdInfo,
} from "./sshd.js";
import { isCi } from "./util.js";

function unavailable(project: TestProject, why: string): () => Promise<void> {
  if (isCi()) throw new Error(`[testkit] ${why}; CI=true requires OpenSSH sshd for the interop tests`);
  console.warn(`[testkit] WARNING: ${why}; sshd interop tests will be skipped`);
  project.provide("sshd", null);
  project.provide("sshdAes256Gcm", null);
  return async () => {};
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!sshdAvailable()) return unavailable(project, `${SSHD_PATH} not found (apt-get install openssh-server)`);
  console.log(`[testkit] sshd -V: ${sshdVersion()}`);

  const started = await Promise.allSettled([
    startSshd({ name: "default" }),
    startSshd({ name: "aes256gcm", ciphers: ["aes256-gcm@openssh.com"] }),
  ]);
  const handles = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    await Promise.allSettled(handles.map((h) => h.stop()));
    if (failure.reason instanceof SshdUnavailableError) return unavailable(project, failure.reason.message);
    throw failure.reason;
  }
  const [main, gcm] = handles as [SshdHandle, SshdHandle];
  project.provide("sshd", toSshdInfo(main));
  project.provide("sshdAes256Gcm", toSshdInfo(gcm));
  console.log(`[testkit] sshd on 127.0.0.1:${main.port} (default), 127.0.0.1:${gcm.port} (aes256-gcm only)`);

  return async () => {
    await Promise.allSettled(handles.map((h) => h.stop()));
  };
}
