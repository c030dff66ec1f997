// Types of the values global setup `provide`s: tests read them with `inject("sshd")` from vitest.
import type {} from "vitest";
import type { SshdInfo } from "./sshd.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The default OpenSSH sshd (stock algorithms), or null when sshd is unavailable (never under CI). */
    sshd: SshdInfo | null;
    /** An sshd that offers only `Ciphers aes256-gcm@openssh.com`, or null like `sshd`. */
    sshdAes256Gcm: SshdInfo | null;
  }
}

/** The keys tests can `inject` (see ProvidedContext above). */
export type ProvidedSshdKey = "sshd" | "sshdAes256Gcm";
