// config(), properties and packet helpers of SSHReverseTunnel that need no server.
import { Certificate, SSHAuthModes, SSHReverseTunnel, SSHTunnelErrorCodes, sshreversetunnel } from "@purssh/tunnel";
import { ChannelRequestExitStatus, UserauthRequestPassword } from "@purssh/wire";
import { describe, expect, test } from "vitest";

const ED25519_LINE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDcE2GYf0jXvxYu/uzeezn9E8iLD4ySp6RUpFX3WibDT x";

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

  test("an unknown name throws INVALID_ARGUMENT naming it", () => {
    const t = new SSHReverseTunnel();
    expect(code(() => t.config("NoSuchSetting"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    expect(() => t.config("NoSuchSetting=1")).toThrow(/unknown config setting "NoSuchSetting"/);
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
    expect(t.getSSHCompressionAlgorithms()).toBe("none,zlib");
    t.setSSHCompressionAlgorithms("lz4,zlib@openssh.com,zlib,none");
    expect(t.getSSHCompressionAlgorithms()).toBe("zlib@openssh.com,zlib,none");
    expect(logs.some((l) => l.includes("skipping lz4"))).toBe(true);
    expect(code(() => t.setSSHCompressionAlgorithms("lz4"))).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
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

  test("amGSSAPIWithMic is refused at logon as unavailable on this runtime (1005), before connecting", async () => {
    const t = new SSHReverseTunnel();
    const connected: number[] = [];
    t.on("Connected", (e) => connected.push(e.statusCode));
    t.setSSHAuthMode(SSHAuthModes.amGSSAPIWithMic);
    const err = await t.SSHLogon("127.0.0.1", 1).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.UNSUPPORTED);
    expect(err.message).toMatch(/not available on this runtime.*Kerberos/);
    expect(connected).toEqual([]);
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

/**
 * Every configuration setting of the seed, in its order: [name, default, a value to write (null:
 * read-only, or refused as not applicable on this runtime), what it then reads back].
 */
const SEED_SETTINGS: [string, string, string | null, string?][] = [
  ["AutoReconnect", "false", "1", "true"],
  ["DefaultChannelIdleTimeout", "0", "30", "30"],
  ["ForwardedPort", "0", null],
  ["ForwardingLocalHost", "", "127.0.0.1", "127.0.0.1"],
  ["MaxRetryCount", "0", "4", "4"],
  ["RetryInterval", "5", "2", "2"],
  ["ClientSSHVersionString", "SSH-2.0-purssh_0.1", "SSH-2.0-Test_1", "SSH-2.0-Test_1"],
  ["EnablePageantAuth", "0", "1", "1"],
  ["KerberosDelegation", "false", "true", "true"],
  ["KerberosRealm", "", "EXAMPLE.COM", "EXAMPLE.COM"],
  ["KerberosSPN", "", "host/a", "host/a"],
  ["KeyRenegotiationThreshold", String(2 ** 30), "1048576", "1048576"],
  ["LogLevel", "1", "3", "3"],
  ["MaxPacketSize", "32768", "16384", "16384"],
  ["MaxWindowSize", "2097152", "1048576", "1048576"],
  ["PasswordPrompt", "", "Password:*", "Password:*"],
  ["PreferredDHGroupBits", "3072", "4096", "4096"],
  ["RecordLength", "0", "512", "512"],
  ["ServerSSHVersionString", "", null],
  ["SignedSSHCert", "", "", ""],
  ["SSHAcceptAnyServerHostKey", "false", "true", "true"],
  ["SSHAcceptServerCAKey", "", ED25519_LINE, ED25519_LINE],
  ["SSHAcceptServerHostKeyFingerPrint", "", "SHA256:abc", "SHA256:abc"],
  ["SSHFingerprintHashAlgorithm", "SHA256", "SHA1", "SHA1"],
  ["SSHFingerprintMD5", "", null],
  ["SSHFingerprintSHA1", "", null],
  ["SSHFingerprintSHA256", "", null],
  ["SSHKeepAliveCountMax", "3", "5", "5"],
  ["SSHKeepAliveInterval", "0", "15", "15"],
  ["SSHKeyExchangeAlgorithms", "*", "curve25519-sha256", "curve25519-sha256"],
  ["SSHKeyRenegotiate", "", null],
  ["SSHMacAlgorithms", "*", "hmac-sha2-256", "hmac-sha2-256"],
  ["SSHPubKeyAuthSigAlgorithms", "*", "ssh-ed25519", "ssh-ed25519"],
  ["SSHPublicKeyAlgorithms", "*", "ssh-ed25519", "ssh-ed25519"],
  ["SSHVersionPattern", "*SSH-1.99-*,*SSH-2.0-*", "*SSH-2.0-*", "*SSH-2.0-*"],
  ["TryAllAvailableAuthMethods", "false", "1", "true"],
  ["WaitForChannelClose", "true", "false", "false"],
  ["WaitForServerDisconnect", "false", "true", "true"],
  ["ConnectionTimeout", "0", "10", "10"],
  ["FirewallAutoDetect", "false", "true", "true"],
  ["FirewallHost", "", "proxy.example", "proxy.example"],
  ["FirewallPassword", "", "pw", "pw"],
  ["FirewallPort", "0", "3128", "3128"],
  ["FirewallType", "0", "SOCKS5", "3"],
  ["FirewallUser", "", "me", "me"],
  ["KeepAliveInterval", "0", null],
  ["KeepAliveTime", "0", "30000", "30000"],
  ["Linger", "true", "false", "false"],
  ["LingerTime", "0", "3", "3"],
  ["LocalHost", "", "127.0.0.1", "127.0.0.1"],
  ["LocalPort", "0", "40001", "40001"],
  ["MaxLineLength", "0", null],
  ["MaxTransferRate", "0", "1000000", "1000000"],
  ["ProxyExceptionsList", "", "a.example;10.*", "a.example;10.*"],
  ["TCPKeepAlive", "false", "true", "true"],
  ["TcpNoDelay", "true", "false", "false"],
  ["UseIPv6", "false", "true", "true"],
  ["AbsoluteTimeout", "false", "true", "true"],
  ["FirewallData", "", "X-A: 1", "X-A: 1"],
  ["InBufferSize", "0", "65536", "65536"],
  ["OutBufferSize", "0", "65536", "65536"],
  ["BuildInfo", "*", null],
  ["CodePage", "65001", "65001", "65001"],
  ["LicenseInfo", "*", null],
  ["UseInternalSecurityAPI", "true", null],
];

describe("every configuration setting of the seed", () => {
  test("the list has the seed's 65 settings", () => {
    expect(SEED_SETTINGS).toHaveLength(65);
    expect(new Set(SEED_SETTINGS.map((r) => r[0])).size).toBe(65);
  });

  test.each(SEED_SETTINGS)("%s: default %j; writes and reads back (or refuses clearly)", (name, def, value, back) => {
    const t = new SSHReverseTunnel();
    const read = t.config(name);
    if (def !== "*") expect(read).toBe(def);
    else expect(read.length).toBeGreaterThan(0);
    if (value === null) {
      const err = (() => {
        try {
          t.config(`${name}=1234`);
        } catch (e) {
          return e as { code: number };
        }
        return undefined;
      })();
      // Read-only settings refuse writing (1001); ones that do not apply here say so (1005).
      expect([SSHTunnelErrorCodes.INVALID_ARGUMENT, SSHTunnelErrorCodes.UNSUPPORTED]).toContain(err?.code);
      return;
    }
    expect(t.config(`${name}=${value}`)).toBe("");
    expect(t.config(name)).toBe(back);
    expect(t.config(name.toUpperCase())).toBe(back);
  });

  test("a bad value for a number or boolean setting names the setting", () => {
    const t = new SSHReverseTunnel();
    for (const name of ["RetryInterval", "MaxRetryCount", "SSHKeepAliveInterval", "RecordLength", "LingerTime"]) {
      expect(() => t.config(`${name}=-5`)).toThrow(new RegExp(name));
      expect(() => t.config(`${name}=abc`)).toThrow(new RegExp(`${name}: expected an integer`));
    }
    expect(() => t.config("EnablePageantAuth=3")).toThrow(/EnablePageantAuth: 3 is outside 0..2/);
    expect(() => t.config("AbsoluteTimeout=maybe")).toThrow(/AbsoluteTimeout: expected true, false/);
    expect(() => t.config("SSHAcceptServerCAKey=not a key")).toThrow(/SSHAcceptServerCAKey/);
    expect(() => t.config("SSHVersionPattern=")).toThrow(/SSHVersionPattern needs at least one pattern/);
  });
});
