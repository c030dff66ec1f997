// Skipping sshd-dependent tests on machines without OpenSSH (never under CI).
//
// Two ways to use it:
//
//   import { describe, inject, it } from "vitest";
//   import { requireSshd } from "@purssh/testkit";
//
//   // 1. Whole suite: skipped at collection time when global setup provided null.
//   const sshd = inject("sshd");
//   describe.skipIf(!sshd)("interop with OpenSSH", () => {
//     it("connects", async () => {
//       const s = requireSshd(sshd); // narrows SshdInfo | null to SshdInfo
//       ...
//     });
//   });
//
//   // 2. Single test: requireSshd marks the running test as skipped when the value is null.
//   it("connects", async (ctx) => {
//     const s = requireSshd(inject("sshd"), ctx);
//     ...
//   });
//
// Under CI=true global setup already fails the run when sshd is missing; requireSshd throws too.
import { TestRunner } from "vitest";
import type { SshdInfo } from "./sshd.js";
import { isCi } from "./util.js";

/** What requireSshd needs from a vitest TestContext. */
export interface SkipContext {
  skip: (note?: string) => void;
}

const UNAVAILABLE = "OpenSSH sshd is not available here (install openssh-server and run as root)";

/**
 * Returns `value` when sshd is available. When it is null: under CI throws; otherwise marks the
 * current test as skipped (via `ctx.skip`, or the running test from `TestRunner.getCurrentTest()`) — which
 * throws vitest's skip signal, so nothing after the call runs.
 */
export function requireSshd<T extends SshdInfo>(value: T | null | undefined, ctx?: SkipContext): T {
  if (value) return value;
  if (isCi()) throw new Error(`${UNAVAILABLE}; under CI=true sshd tests must not be skipped`);
  const skipper: SkipContext | undefined = ctx ?? TestRunner.getCurrentTest()?.context;
  if (skipper) skipper.skip(UNAVAILABLE);
  throw new Error(`${UNAVAILABLE}; call requireSshd inside a test or guard the suite with describe.skipIf(!sshd)`);
}
