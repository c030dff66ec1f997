// config(), properties and packet helpers of SSHReverseTunnel that need no server.
import { Certificate, SSHAuthModes, SSHReverseTunnel, SSHTunnelErrorCodes, sshreversetunnel } from "@purssh/tunnel";
import { ChannelRequestExitStatus, UserauthRequestPassword } from "@purssh/wire";
import { describe, expect, test } from "vitest";

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: number }).code;
  }
  return "no error";
};

describe("config() (ipworks-spec.md §5)", () => {
  test('ForwardedPort is "0" before any forwarding and read-only', () => {
    const t = new SSHReverseTunnel();
    expect(t.config("ForwardedPort")).toBe("0");
    expect(code(() => t.config("ForwardedPort=5"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
  });

  test('Name=Value sets and returns ""; names are case-insensitive', () => {
    const t = new SSHReverseTunnel();
    expect(t.config("Timeout=15")).toBe("");
    expect(t.config("timeout")).toBe("15");
    expect(t.getTimeout()).toBe(15);
    t.setTimeout(20);
    expect(t.config("Timeout")).toBe("20");
  });

  test("booleans accept true/false/1/0 in any case and read back as true/false", () => {
    const t = new SSHReverseTunnel();
    for (const [v, want] of [
      ["TRUE", "true"],
      ["0", "false"],
      ["1", "true"],
      ["False", "false"],
    ] as const) {
      t.config(`SSHAcceptAnyServerHostKey=${v}`);
      expect(t.config("SSHAcceptAnyServerHostKey")).toBe(want);
    }
    expect(code(() => t.config("SSHAcceptAnyServerHostKey=yes"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
  });

  test('an unknown name throws; a known but unimplemented one throws "not implemented"', () => {
    const t = new SSHReverseTunnel();
    expect(code(() => t.config("NoSuchSetting"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    expect(code(() => t.config("AutoReconnect=true"))).toBe(SSHTunnelErrorCodes.NOT_IMPLEMENTED);
    expect(() => t.config("FirewallHost")).toThrow(/not implemented yet/);
  });

  test("algorithm lists skip names we do not implement (with a Log line) and refuse lists with none", () => {
    const t = new SSHReverseTunnel();
    const logs: string[] = [];
    t.on("Log", (e) => logs.push(e.message));
    t.config("SSHKeyExchangeAlgorithms=sntrup761x25519-sha512,curve25519-sha256");
    expect(t.config("SSHKeyExchangeAlgorithms")).toBe("curve25519-sha256");
    expect(logs.some((l) => l.includes("skipping sntrup761x25519-sha512"))).toBe(true);
    expect(code(() => t.config("SSHKeyExchangeAlgorithms=sntrup761x25519-sha512"))).toBe(
      SSHTunnelErrorCodes.INVALID_ARGUMENT,
    );
    t.setSSHEncryptionAlgorithms("arcfour256, aes256-gcm@openssh.com ,blowfish-cbc");
    expect(t.getSSHEncryptionAlgorithms()).toBe("aes256-gcm@openssh.com");
    expect(code(() => t.setSSHEncryptionAlgorithms("arcfour"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    t.config("SSHPublicKeyAlgorithms=ssh-dss,ssh-ed25519");
    expect(t.config("SSHPublicKeyAlgorithms")).toBe("ssh-ed25519");
    expect(t.getSSHCompressionAlgorithms()).toBe("none");
    t.setSSHCompressionAlgorithms("zlib,none");
    expect(t.getSSHCompressionAlgorithms()).toBe("none");
  });

  test("SSHMacAlgorithms selects among the implemented MACs and refuses a list with none", () => {
    const t = new SSHReverseTunnel();
    expect(t.config("SSHMacAlgorithms")).toContain("hmac-sha2-256-etm@openssh.com");
    t.config("SSHMacAlgorithms=umac-128@openssh.com,hmac-sha2-512");
    expect(t.config("SSHMacAlgorithms")).toBe("hmac-sha2-512");
    expect(code(() => t.config("SSHMacAlgorithms=umac-64@openssh.com"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
  });

  test("bad values name the setting and the range", () => {
    const t = new SSHReverseTunnel();
    expect(() => t.config("LogLevel=9")).toThrow(/LogLevel: 9 is outside 0..3/);
    expect(() => t.config("Timeout=soon")).toThrow(/Timeout: expected an integer/);
    expect(() => t.config("ClientSSHVersionString=hello")).toThrow(/RFC 4253 §4.2/);
    t.config("ClientSSHVersionString=SSH-2.0-MyApp_1.0");
    expect(t.config("ClientSSHVersionString")).toBe("SSH-2.0-MyApp_1.0");
    expect(code(() => t.config("SSHFingerprintHashAlgorithm=SHA512"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    t.config("SSHFingerprintHashAlgorithm=md5");
    expect(t.config("SSHFingerprintHashAlgorithm")).toBe("MD5");
  });
});

describe("properties and methods without a connection", () => {
  test("defaults: SSHPort 22, SSHAuthMode amPassword (2), not connected", () => {
    const t = new SSHReverseTunnel();
    expect(t.getSSHPort()).toBe(22);
    expect(t.getSSHAuthMode()).toBe(2);
    expect(SSHAuthModes).toEqual({
      amNone: 0,
      amMultiFactor: 1,
      amPassword: 2,
      amPublicKey: 3,
      amKeyboardInteractive: 4,
      amGSSAPIWithMic: 5,
      amCustom: 6,
    });
    expect(t.getConnected()).toBe(false);
    expect(sshreversetunnel).toBe(SSHReverseTunnel);
  });

  test("network methods before SSHLogon reject with NOT_CONNECTED", async () => {
    const t = new SSHReverseTunnel();
    await expect(t.requestForwarding("", 0, "", 0)).rejects.toMatchObject({ code: SSHTunnelErrorCodes.NOT_CONNECTED });
    await expect(t.cancelForwarding("", 0)).rejects.toMatchObject({ code: SSHTunnelErrorCodes.NOT_CONNECTED });
    await expect(t.exchangeKeys()).rejects.toMatchObject({ code: SSHTunnelErrorCodes.NOT_CONNECTED });
    await expect(t.sendChannelData("1", "x")).rejects.toMatchObject({ code: SSHTunnelErrorCodes.UNKNOWN_CHANNEL });
    await expect(t.SSHLogoff()).resolves.toBeUndefined();
  });

  test("auth modes not implemented yet are refused at logon with NOT_IMPLEMENTED, before connecting", async () => {
    const t = new SSHReverseTunnel();
    t.setSSHAuthMode(SSHAuthModes.amKeyboardInteractive);
    await expect(t.SSHLogon("127.0.0.1", 1)).rejects.toMatchObject({ code: SSHTunnelErrorCodes.NOT_IMPLEMENTED });
    expect(() => t.setSSHAuthMode(9 as never)).toThrow(/unknown SSHAuthMode/);
  });

  test("amPublicKey without a private key is a clear error", async () => {
    const t = new SSHReverseTunnel();
    t.setSSHAuthMode(SSHAuthModes.amPublicKey);
    t.setSSHCert(
      Certificate.fromString("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDcE2GYf0jXvxYu/uzeezn9E8iLD4ySp6RUpFX3WibDT x"),
    );
    await expect(t.SSHLogon("127.0.0.1", 1)).rejects.toThrow(/needs SSHCert with a private key/);
  });

  test("SSHPort is validated", () => {
    const t = new SSHReverseTunnel();
    expect(code(() => t.setSSHPort(0))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    expect(code(() => t.setSSHPort(70000))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
  });
});

describe("packet helpers (ipworks-spec.md §7)", () => {
  test("setSSHParam builds a payload field by field that the schema decodes, and encode/decodePacket round-trip it", () => {
    const t = new SSHReverseTunnel();
    let p = t.setSSHParam(new Uint8Array(0), "b", "50");
    p = t.setSSHParam(p, "s", "alice");
    p = t.setSSHParam(p, "s", "ssh-connection");
    p = t.setSSHParam(p, "s", "password");
    p = t.setSSHParam(p, "f", "false");
    p = t.setSSHParam(p, "s", "sesame");
    expect(UserauthRequestPassword.decode(p)).toMatchObject({ userName: "alice", password: "sesame" });
    const hex = t.encodePacket(p);
    expect(hex).toMatch(/^3200000005616c696365/);
    expect([...t.decodePacket(hex)]).toEqual([...p]);
    expect(t.getSSHParam(p, "UserName")).toBe("alice");
    expect(t.getSSHParam(p, "Password")).toBe("sesame");
  });

  test("getSSHParam reads the seed's channel-request names (ChannelId, RequestType, WantsReply)", () => {
    const t = new SSHReverseTunnel();
    const p = ChannelRequestExitStatus.encode({
      recipientChannel: 7,
      requestType: "exit-status",
      wantReply: false,
      exitStatus: 3,
    });
    expect(t.getSSHParam(p, "ChannelId")).toBe("7");
    expect(t.getSSHParam(p, "RequestType")).toBe("exit-status");
    expect(t.getSSHParam(p, "WantsReply")).toBe("false");
    expect(t.getSSHParam(p, "ExitStatus")).toBe("3");
    expect([...t.getSSHParamBytes(p, "ExitStatus")]).toEqual([0, 0, 0, 3]);
    expect(code(() => t.getSSHParam(p, "Nope"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    expect(code(() => t.setSSHParam(new Uint8Array(0), "q", "1"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    expect(code(() => t.decodePacket("abc"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
  });
});
