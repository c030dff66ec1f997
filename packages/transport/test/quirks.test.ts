// DESIGN.md principle 10: every interop quirk is matched by the identification strings real peers
// send, and by none of the strings modern peers send.
import { describe, expect, test } from "vitest";
import { NO_QUIRKS, QUIRKS, quirksFor, softwareVersion } from "../src/quirks.js";

/** Identification lines of current releases: none of them may trigger any quirk. */
const MODERN = [
  "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.5",
  "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10",
  "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
  "SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2",
  "SSH-2.0-OpenSSH_10.0",
  "SSH-2.0-OpenSSH_for_Windows_9.5",
  "SSH-2.0-OpenSSH_for_Windows_8.1",
  "SSH-2.0-dropbear_2026.90",
  "SSH-2.0-dropbear_2026.94",
  "SSH-2.0-PuTTY_Release_0.81",
  "SSH-2.0-WinSCP_release_6.3.5",
  "SSH-2.0-paramiko_3.4.0",
  "SSH-2.0-libssh_0.10.6",
  "SSH-2.0-libssh_0.9.6",
  "SSH-2.0-libssh2_1.11.0",
  "SSH-2.0-libssh2_1.4.3",
  "SSH-2.0-Go",
  "SSH-2.0-AsyncSSH_2.14.2",
  "SSH-2.0-russh_0.44.0",
  "SSH-2.0-ssh2js1.17.0",
  "SSH-2.0-ssh2js1.17.0srv",
  "SSH-2.0-Twisted_22.10.0",
  "SSH-2.0-TTSSH/2.92 Win32",
  "SSH-2.0-purssh_0.1",
  "SSH-2.0-OpenSSH",
];

/** Per quirk: real identification strings it must match, and near misses it must not. */
const CASES: Record<string, { match: string[]; miss: string[] }> = {
  "ssh-com-hmac-key-bug": {
    match: ["SSH-2.0-2.0.13 (non-commercial)", "SSH-2.0-2.3.0 SSH Secure Shell (non-commercial)"],
    miss: ["SSH-2.0-3.2.9 SSH Secure Shell", "SSH-2.0-2.4.0 SSH Secure Shell"],
  },
  "ssh-com-key-derivation-bug": {
    match: ["SSH-2.0-2.0.10 (non-commercial)", "SSH-2.0-2.0.0"],
    miss: ["SSH-2.0-2.0.13 (non-commercial)", "SSH-2.0-3.0.0 SSH Secure Shell"],
  },
  "publickey-session-id-bug": {
    match: ["SSH-1.99-OpenSSH_2.2.0p1", "SSH-2.0-OpenSSH_2.1.1", "SSH-2.0-3.0 SecureCRT", "SSH-2.0-1.7 SecureFX"],
    miss: ["SSH-2.0-OpenSSH_2.3.0p1", "SSH-2.0-OpenSSH_7.4", "SSH-2.0-SecureCRT_9.5.1"],
  },
  "openssh-6.5-curve25519-padding": {
    match: ["SSH-2.0-OpenSSH_6.5", "SSH-2.0-OpenSSH_6.6p1 Ubuntu-2ubuntu1", "SSH-2.0-OpenSSH_6.6"],
    miss: [
      "SSH-2.0-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2.13",
      "SSH-2.0-OpenSSH_6.4",
      "SSH-2.0-OpenSSH_6.7p1 Debian-5+deb8u8",
    ],
  },
  "old-dh-gex-request": {
    match: [
      "SSH-2.0-PuTTY_Release_0.63",
      "SSH-2.0-PuTTY_Release_0.64",
      "SSH-2.0-PuTTY-Release-0.53b",
      "SSH-2.0-WinSCP_release_5.7.4",
      "SSH-2.0-WinSCP_release_5.1",
      "SSH-1.99-OpenSSH_2.5.2p2",
    ],
    miss: [
      "SSH-2.0-PuTTY_Release_0.65",
      "SSH-2.0-PuTTY_Release_0.70",
      "SSH-2.0-WinSCP_release_5.7.5",
      "SSH-2.0-WinSCP_release_5.17.10",
      "SSH-2.0-OpenSSH_2.9p2",
    ],
  },
  "cisco-1.x": { match: ["SSH-2.0-Cisco-1.25", "SSH-1.99-Cisco-1.25"], miss: ["SSH-2.0-Cisco-2.0"] },
  "cisco-1.25-dh-gex": { match: ["SSH-2.0-Cisco-1.25"], miss: ["SSH-2.0-Cisco-1.2", "SSH-2.0-Cisco-2.0"] },
  "teraterm-hostkeys": {
    match: ["SSH-2.0-TTSSH/2.72 Win32", "SSH-2.0-TTSSH/2.70 Win32"],
    miss: ["SSH-2.0-TTSSH/2.73 Win32", "SSH-2.0-TTSSH/2.92 Win32"],
  },
  "no-rekey": {
    match: ["SSH-2.0-Sun_SSH_1.0", "SSH-2.0-Sun_SSH_1.0.1", "SSH-1.99-OpenSSH_2.5.2p2", "SSH-2.0-OpenSSH_2.3.0"],
    miss: ["SSH-2.0-Sun_SSH_1.1", "SSH-2.0-OpenSSH_2.9p2", "SSH-2.0-OpenSSH_2.5.4"],
  },
  "no-debug-messages": {
    match: ["SSH-2.0-3.0.0 SSH Secure Shell (non-commercial)", "SSH-2.0-Twisted"],
    miss: ["SSH-2.0-Twisted_22.10.0", "SSH-2.0-3.2.9 SSH Secure Shell", "SSH-2.0-3.0 SecureCRT"],
  },
  "openssh-before-7.2-no-rsa-sha2": {
    match: [
      "SSH-2.0-OpenSSH_7.1",
      "SSH-2.0-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2.13",
      "SSH-2.0-OpenSSH_5.3",
      "SSH-2.0-OpenSSH_4.3",
    ],
    miss: ["SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.10", "SSH-2.0-OpenSSH_7.4"],
  },
  "dropbear-before-2020.79-no-rsa-sha2": {
    match: ["SSH-2.0-dropbear_2019.78", "SSH-2.0-dropbear_2017.75", "SSH-2.0-dropbear_0.52"],
    miss: ["SSH-2.0-dropbear_2020.79", "SSH-2.0-dropbear_2020.81"],
  },
  "paramiko-before-2.9-no-rsa-sha2": {
    match: ["SSH-2.0-paramiko_2.7.2", "SSH-2.0-paramiko_2.8.1", "SSH-2.0-paramiko_1.16.0"],
    miss: ["SSH-2.0-paramiko_2.9.0", "SSH-2.0-paramiko_2.10.1"],
  },
  "paramiko-2.9.0-rsa-sha512-only": {
    match: ["SSH-2.0-paramiko_2.9.0"],
    miss: ["SSH-2.0-paramiko_2.9.1", "SSH-2.0-paramiko_2.8.1", "SSH-2.0-paramiko_2.9.10"],
  },
  "openssh-7.2-7.3-server-sig-algs-only-rsa": {
    match: ["SSH-2.0-OpenSSH_7.2p2 Ubuntu-4ubuntu2.10", "SSH-2.0-OpenSSH_7.3"],
    miss: ["SSH-2.0-OpenSSH_7.1", "SSH-2.0-OpenSSH_7.4"],
  },
  "openssh-7.4-server-sig-algs-omits-rsa-sha2": {
    match: ["SSH-2.0-OpenSSH_7.4", "SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7"],
    miss: ["SSH-2.0-OpenSSH_7.5", "SSH-2.0-OpenSSH_7.3", "SSH-2.0-OpenSSH_7.40"],
  },
  "openssh-before-7.8-rsa-cert-algorithm-name": {
    match: ["SSH-2.0-OpenSSH_7.7p1 Ubuntu-4ubuntu0.3", "SSH-2.0-OpenSSH_7.4", "SSH-2.0-OpenSSH_for_Windows_7.7"],
    miss: ["SSH-2.0-OpenSSH_7.9p1 Debian-10+deb10u2", "SSH-2.0-OpenSSH_8.0", "SSH-2.0-OpenSSH_for_Windows_8.1"],
  },
  "openssh-before-5.2-no-port-zero": {
    match: ["SSH-2.0-OpenSSH_5.1p1 Debian-5", "SSH-2.0-OpenSSH_4.3", "SSH-2.0-OpenSSH_3.9p1"],
    miss: ["SSH-2.0-OpenSSH_5.2", "SSH-2.0-OpenSSH_5.3"],
  },
  "openssh-5-forwarded-port-zero": {
    match: ["SSH-2.0-OpenSSH_5.3", "SSH-2.0-OpenSSH_5.9p1 Debian-5ubuntu1.10"],
    miss: ["SSH-2.0-OpenSSH_6.0p1 Debian-4+deb7u2", "SSH-2.0-OpenSSH_4.3"],
  },
  "openssh-2-3-forward-address": {
    match: ["SSH-2.0-OpenSSH_3.9p1", "SSH-2.0-OpenSSH_3.0.2p1", "SSH-1.99-OpenSSH_2.9p2"],
    miss: ["SSH-2.0-OpenSSH_4.3", "SSH-2.0-OpenSSH_10.0"],
  },
  "late-channel-request-replies": {
    match: [
      "SSH-2.0-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2.13",
      "SSH-2.0-OpenSSH_5.3",
      "SSH-2.0-dropbear_0.51",
      "SSH-2.0-dropbear_0.46",
    ],
    miss: ["SSH-2.0-OpenSSH_6.7p1 Debian-5+deb8u8", "SSH-2.0-dropbear_0.52", "SSH-2.0-dropbear_2019.78"],
  },
  "openssh-before-5.1-keepalive-failure": {
    match: ["SSH-2.0-OpenSSH_4.3", "SSH-2.0-OpenSSH_5.0", "SSH-2.0-OpenSSH_4.7p1 Debian-8ubuntu1"],
    miss: ["SSH-2.0-OpenSSH_5.1p1 Debian-5", "SSH-2.0-OpenSSH_5.3"],
  },
  "extended-data-after-eof": {
    match: ["SSH-2.0-OpenSSH_3.1p1", "SSH-1.99-OpenSSH_2.9p2", "SSH-2.0-Sun_SSH_1.0"],
    miss: ["SSH-2.0-OpenSSH_3.2.2p1", "SSH-2.0-Sun_SSH_1.1"],
  },
  "dropbear-replies-without-want-reply": {
    match: ["SSH-2.0-dropbear_2020.81", "SSH-2.0-dropbear_2022.83", "SSH-2.0-dropbear_2025.88"],
    miss: ["SSH-2.0-dropbear_2026.90", "SSH-2.0-OpenSSH_9.6"],
  },
  "dropbear-before-2018.76-no-port-zero": {
    match: ["SSH-2.0-dropbear_2017.75", "SSH-2.0-dropbear_2016.74", "SSH-2.0-dropbear_0.52"],
    miss: ["SSH-2.0-dropbear_2018.76", "SSH-2.0-dropbear_2020.81"],
  },
  "dropbear-tcpip-forward-reply-always-has-port": {
    match: ["SSH-2.0-dropbear_2018.76", "SSH-2.0-dropbear_2022.83", "SSH-2.0-dropbear_2025.88"],
    miss: ["SSH-2.0-dropbear_2017.75", "SSH-2.0-dropbear_2026.90"],
  },
  "dropbear-before-2024.84-silent-when-forwarding-disabled": {
    match: ["SSH-2.0-dropbear_2022.83", "SSH-2.0-dropbear_2020.81", "SSH-2.0-dropbear_2019.78"],
    miss: ["SSH-2.0-dropbear_2024.84", "SSH-2.0-dropbear_2025.88"],
  },
  "libssh-before-0.9-unimplemented-global-requests": {
    match: ["SSH-2.0-libssh_0.7.5", "SSH-2.0-libssh-0.6.3", "SSH-2.0-libssh_0.8.9"],
    miss: ["SSH-2.0-libssh_0.9.0", "SSH-2.0-libssh_0.10.6", "SSH-2.0-libssh2_1.4.3"],
  },
  "globalscape-ignores-max-packet": {
    match: ["SSH-2.0-1.36_sshlib GlobalSCAPE", "SSH-2.0-1.36 sshlib: GlobalScape"],
    miss: ["SSH-2.0-1.82_sshlib Globalscape"],
  },
};

describe("interop quirks table (DESIGN.md principle 10)", () => {
  test("every quirk has a name, a comment citing a source, an effect, and test cases here", () => {
    const names = QUIRKS.map((q) => q.name);
    expect(new Set(names).size).toBe(names.length);
    expect(Object.keys(CASES).sort()).toEqual([...names].sort());
    for (const q of QUIRKS) {
      expect(q.comment.length).toBeGreaterThan(40);
      expect(Object.keys(q.effect).length).toBeGreaterThan(0);
    }
  });

  for (const quirk of QUIRKS) {
    test(`${quirk.name}: matches the affected releases and not their fixed neighbours`, () => {
      const { match, miss } = CASES[quirk.name]!;
      for (const v of match) expect(quirk.matches(v), v).toBe(true);
      for (const v of miss) expect(quirk.matches(v), v).toBe(false);
      for (const v of match) expect(quirksFor(v).matched, v).toContain(quirk.name);
    });
  }

  test("modern peers (OpenSSH 7.9+, dropbear 2026.90+, PuTTY 0.81, libssh2, Go, …) match no quirk", () => {
    for (const v of MODERN) {
      expect(quirksFor(v), v).toBe(NO_QUIRKS);
      expect(
        QUIRKS.filter((q) => q.matches(v)).map((q) => q.name),
        v,
      ).toEqual([]);
    }
  });

  test("matchers accept the software version with or without the SSH-2.0- prefix and line end", () => {
    expect(softwareVersion("SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7\r\n")).toBe("OpenSSH_7.4p1 Debian-10+deb9u7");
    expect(softwareVersion("SSH-1.99-Cisco-1.25")).toBe("Cisco-1.25");
    expect(softwareVersion("OpenSSH_7.4")).toBe("OpenSSH_7.4");
    expect(quirksFor("OpenSSH_7.4").serverSigAlgsOmitsRsaSha2).toBe(true);
    expect(quirksFor("SSH-2.0-OpenSSH_7.4\r\n").serverSigAlgsOmitsRsaSha2).toBe(true);
  });

  test("effects fold: RHEL 5's OpenSSH 4.3 gets every flag its releases earned", () => {
    const q = quirksFor("SSH-2.0-OpenSSH_4.3");
    expect(q.rsaSha2Unsupported).toBe(true);
    expect(q.rsaCertLegacyAlgorithmName).toBe(true);
    expect(q.tcpipForwardPortZeroUnsupported).toBe(true);
    expect(q.keepaliveChannelRequestNeedsFailure).toBe(true);
    expect(q.repliesToRequestsOnClosedChannels).toBe(true);
    expect(q.forwardedTcpipReportsPortZero).toBe(false);
    expect(q.refuseReason).toBeUndefined();
    expect(Object.isFrozen(q)).toBe(true);
  });

  test("RFC 4254 §7.1: OpenSSH 5.3 allocates port 0 but reports 0 in forwarded-tcpip (SSH_BUG_DYNAMIC_RPORT)", () => {
    const q = quirksFor("SSH-2.0-OpenSSH_5.3");
    expect(q.tcpipForwardPortZeroUnsupported).toBe(false);
    expect(q.forwardedTcpipReportsPortZero).toBe(true);
  });

  test("Cisco-1.25 caps group exchange at 4096 bits and is offered none (OpenSSH and ssh2 agree it is broken)", () => {
    const q = quirksFor("SSH-2.0-Cisco-1.25");
    expect(q.dhGexMaxPreferredBits).toBe(4096);
    expect(q.noDhGroupExchange).toBe(true);
    expect(q.noHostkeysUpdate).toBe(true);
    expect(q.matched).toEqual(["cisco-1.x", "cisco-1.25-dh-gex"]);
  });

  test("peers with bugs we do not work around are refused with a reason", () => {
    expect(quirksFor("SSH-2.0-2.0.10 (non-commercial)").refuseReason).toMatch(/HMAC|key-derivation/);
    expect(quirksFor("SSH-2.0-3.0 SecureCRT").refuseReason).toMatch(/session id/);
    expect(quirksFor("SSH-2.0-OpenSSH_7.4").refuseReason).toBeUndefined();
  });
});
