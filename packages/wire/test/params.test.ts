/**
 * The seed's packet helpers (ipworks-spec.md §7): SetSSHParam's type letters, GetSSHParam /
 * GetSSHParamBytes over payloads built by the schema encoders (PascalCase RFC field names plus
 * the seed's aliases), and EncodePacket / DecodePacket.
 * @module
 */
import { fc, test } from "@fast-check/vitest";
import {
  ChannelData,
  ChannelOpenConfirmation,
  ChannelOpenForwardedTcpip,
  ChannelRequest,
  ChannelRequestExec,
  ChannelRequestExitStatus,
  DecodePacket,
  decodePacket,
  EncodePacket,
  ExtInfo,
  encodePacket,
  GetSSHParam,
  GetSSHParamBytes,
  GlobalRequest,
  GlobalRequestTcpipForward,
  KexEcdhReply,
  Kexinit,
  MSG,
  SetSSHParam,
  UserauthRequestPassword,
  WireError,
} from "@purssh/wire";
import { describe, expect } from "vitest";
import { bytesOf, expectWireError, hexOf, mpintOracleHex, UINT64_MAX } from "./arbitraries.js";

const RUNS = { numRuns: 200 };
const EMPTY = new Uint8Array(0);

function be32(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b.toString("hex");
}

function be64(n: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b.toString("hex");
}

describe("ipworks-spec.md §7a SetSSHParam", () => {
  test.prop([fc.string({ unit: "binary", maxLength: 40 })], RUNS)(
    "§7a / RFC 4251 §5: type s appends a UTF-8 string",
    (text) => {
      const body = Buffer.from(text, "utf8");
      expect(hexOf(SetSSHParam(EMPTY, "s", text))).toBe(be32(body.length) + body.toString("hex"));
    },
  );

  test.prop([fc.uint8Array({ maxLength: 40 }), fc.boolean()], RUNS)(
    "§7a / RFC 4251 §5: type sb appends a binary string given as hex (either case)",
    (bytes, upper) => {
      const hex = Buffer.from(bytes).toString("hex");
      const got = SetSSHParam(EMPTY, "sb", upper ? hex.toUpperCase() : hex);
      expect(hexOf(got)).toBe(be32(bytes.length) + hex);
    },
  );

  test("§7a: type sb takes the vendor's example A1B23C", () => {
    expect(hexOf(SetSSHParam(EMPTY, "sb", "A1B23C"))).toBe("00000003a1b23c");
  });

  test.prop([fc.bigInt({ min: -(1n << 256n), max: 1n << 256n })], RUNS)(
    "§7a / RFC 4251 §5: type m appends an mpint from decimal text",
    (v) => {
      const body = mpintOracleHex(v);
      expect(hexOf(SetSSHParam(EMPTY, "m", v.toString()))).toBe(be32(body.length / 2) + body);
    },
  );

  test.prop([fc.bigInt({ min: 0n, max: 1n << 256n })], RUNS)("§7a: type m also takes 0x-prefixed hex", (v) => {
    expect(SetSSHParam(EMPTY, "m", `0x${v.toString(16)}`)).toEqual(SetSSHParam(EMPTY, "m", v.toString()));
  });

  test.each([
    ["0", "00000000"],
    ["-4660", "00000002edcc"], // the RFC's -1234 is hex: -0x1234 = -4660
    ["-3735928559", "00000005ff21524111"], // -0xdeadbeef
    ["0x80", "000000020080"],
    ["0x9a378f9b2e332a7", "0000000809a378f9b2e332a7"],
  ])("§7a / RFC 4251 §5 example: SetSSHParam m %s is %s", (text, hex) => {
    expect(hexOf(SetSSHParam(EMPTY, "m", text))).toBe(hex);
  });

  test.prop([fc.integer({ min: 0, max: 0xffffffff })], RUNS)(
    "§7a: type i appends a uint32, from decimal or 0x hex",
    (v) => {
      expect(hexOf(SetSSHParam(EMPTY, "i", String(v)))).toBe(be32(v));
      expect(hexOf(SetSSHParam(EMPTY, "i", `0x${v.toString(16)}`))).toBe(be32(v));
    },
  );

  test.prop([fc.bigInt({ min: 0n, max: UINT64_MAX })], RUNS)(
    "§7a: type l appends a uint64, from decimal or 0x hex",
    (v) => {
      expect(hexOf(SetSSHParam(EMPTY, "l", v.toString()))).toBe(be64(v));
      expect(hexOf(SetSSHParam(EMPTY, "l", `0x${v.toString(16)}`))).toBe(be64(v));
    },
  );

  test.prop([fc.integer({ min: 0, max: 255 })], RUNS)("§7a: type b appends a byte, from decimal or 0x hex", (v) => {
    const hex = v.toString(16).padStart(2, "0");
    expect(hexOf(SetSSHParam(EMPTY, "b", String(v)))).toBe(hex);
    expect(hexOf(SetSSHParam(EMPTY, "b", `0x${v.toString(16)}`))).toBe(hex);
  });

  test.each([
    ["true", "01"],
    ["false", "00"],
    ["TRUE", "01"],
    ["False", "00"],
    ["1", "01"],
    ["0", "00"],
  ])("§7a / RFC 4251 §5: type f %s appends the boolean byte %s", (text, hex) => {
    expect(hexOf(SetSSHParam(EMPTY, "f", text))).toBe(hex);
  });

  test.prop([fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 0, max: 0xffffffff })], RUNS)(
    "§7a: each call appends to the payload passed in and leaves that payload untouched",
    (payload, v) => {
      const before = payload.slice();
      const out = SetSSHParam(payload, "i", String(v));
      expect(hexOf(out)).toBe(hexOf(before) + be32(v));
      expect(payload).toEqual(before);
    },
  );

  test.each(["x", "", "S", "ss", "I", "u32", "string"])("§7a: an unknown type letter %j is refused", (letter) => {
    const err = expectWireError(() => SetSSHParam(EMPTY, letter, "1"), "ERR_WIRE_BAD_PARAM");
    expect(err.message).toMatch(/s, sb, m, i, l, b or f/);
  });

  const badIntegers = ["", " ", "12a", "0x", "1.5", "1e3", "+1", "0xg1", "- 1", "0b101", "one"];
  for (const letter of ["m", "i", "l", "b"]) {
    test.each(badIntegers)(`§7a: type ${letter} refuses the non-integer %j`, (text) => {
      expectWireError(() => SetSSHParam(EMPTY, letter, text), "ERR_WIRE_BAD_PARAM");
    });
  }

  test.each([
    ["b", "256"],
    ["b", "-1"],
    ["b", "0x100"],
    ["i", "4294967296"],
    ["i", "-1"],
    ["i", "0x100000000"],
    ["i", "99999999999999999999999"],
    ["l", "18446744073709551616"],
    ["l", "-1"],
  ])("§7a / RFC 4251 §5: type %s refuses the out-of-range value %s", (letter, text) => {
    expectWireError(() => SetSSHParam(EMPTY, letter, text), "ERR_WIRE_RANGE");
  });

  test.each(["yes", "", "2", "truee", "on"])("§7a: type f refuses %j", (text) => {
    expectWireError(() => SetSSHParam(EMPTY, "f", text), "ERR_WIRE_BAD_PARAM");
  });

  test.each(["abc", "zz", "0x00", "a-b1"])("§7a: type sb refuses the bad hex %j", (text) => {
    expectWireError(() => SetSSHParam(EMPTY, "sb", text), "ERR_WIRE_BAD_HEX");
  });

  test.prop([fc.string({ unit: "binary", maxLength: 24 }), fc.string({ unit: "binary", maxLength: 24 })], RUNS)(
    "§7a / RFC 4252 §8: a USERAUTH_REQUEST password payload built field by field decodes with the schema",
    (userName, password) => {
      let p = SetSSHParam(EMPTY, "b", String(MSG.USERAUTH_REQUEST));
      p = SetSSHParam(p, "s", userName);
      p = SetSSHParam(p, "s", "ssh-connection");
      p = SetSSHParam(p, "s", "password");
      p = SetSSHParam(p, "f", "false");
      p = SetSSHParam(p, "s", password);
      const decoded = UserauthRequestPassword.decode(p);
      expect(decoded).toEqual({
        userName,
        serviceName: "ssh-connection",
        methodName: "password",
        changePassword: false,
        password,
      });
      expect(hexOf(p)).toBe(hexOf(UserauthRequestPassword.encode(decoded)));
      expect(GetSSHParam(p, "Password")).toBe(password);
      expect(GetSSHParam(p, "UserName")).toBe(userName);
    },
  );
});

describe("ipworks-spec.md §7b GetSSHParam / GetSSHParamBytes", () => {
  const confirmation = ChannelOpenConfirmation.encode({
    recipientChannel: 0x01020304,
    senderChannel: 7,
    initialWindowSize: 2 * 1024 * 1024,
    maximumPacketSize: 32768,
    channelTypeData: Uint8Array.of(0xde, 0xad),
  });

  test.each([
    ["RecipientChannel", String(0x01020304)],
    ["SenderChannel", "7"],
    ["InitialWindowSize", "2097152"],
    ["MaximumPacketSize", "32768"],
    ["ChannelTypeData", "dead"],
    ["MessageType", String(MSG.CHANNEL_OPEN_CONFIRMATION)],
  ])("RFC 4254 §5.1: GetSSHParam(CHANNEL_OPEN_CONFIRMATION, %s) is %s", (field, text) => {
    expect(GetSSHParam(confirmation, field)).toBe(text);
  });

  test("§7b seed alias: ChannelId is the recipient channel when a message has both channel numbers", () => {
    expect(GetSSHParam(confirmation, "ChannelId")).toBe(String(0x01020304));
  });

  test("§7b seed alias: ChannelId is the sender channel of a CHANNEL_OPEN", () => {
    const open = ChannelOpenForwardedTcpip.encode({
      channelType: "forwarded-tcpip",
      senderChannel: 42,
      initialWindowSize: 1,
      maximumPacketSize: 2,
      connectedAddress: "0.0.0.0",
      connectedPort: 2222,
      originatorAddress: "192.0.2.1",
      originatorPort: 50000,
    });
    expect(GetSSHParam(open, "ChannelId")).toBe("42");
    expect(GetSSHParam(open, "ChannelType")).toBe("forwarded-tcpip");
    expect(GetSSHParam(open, "OriginatorAddress")).toBe("192.0.2.1");
    expect(GetSSHParam(open, "ConnectedPort")).toBe("2222");
  });

  test("RFC 4251 §5 / §7b: GetSSHParamBytes returns integers as their big-endian wire bytes", () => {
    expect(hexOf(GetSSHParamBytes(confirmation, "RecipientChannel"))).toBe("01020304");
    expect(hexOf(GetSSHParamBytes(confirmation, "InitialWindowSize"))).toBe("00200000");
    expect(hexOf(GetSSHParamBytes(confirmation, "ChannelId"))).toBe("01020304");
    expect(hexOf(GetSSHParamBytes(confirmation, "MessageType"))).toBe("5b");
  });

  test("RFC 4254 §6.5 / §7b: a channel request's RequestType, WantsReply and request fields", () => {
    const exec = ChannelRequestExec.encode({
      recipientChannel: 3,
      requestType: "exec",
      wantReply: true,
      command: "uname -a",
    });
    expect(GetSSHParam(exec, "ChannelId")).toBe("3");
    expect(GetSSHParam(exec, "RequestType")).toBe("exec");
    expect(GetSSHParam(exec, "WantsReply")).toBe("true");
    expect(GetSSHParam(exec, "WantReply")).toBe("true");
    expect(GetSSHParam(exec, "Command")).toBe("uname -a");
    expect(hexOf(GetSSHParamBytes(exec, "WantsReply"))).toBe("01");
    expect(Buffer.from(GetSSHParamBytes(exec, "Command")).toString("utf8")).toBe("uname -a");
    expect(Buffer.from(GetSSHParamBytes(exec, "RequestType")).toString("utf8")).toBe("exec");
  });

  test("RFC 4254 §5.4: a channel request type nobody declared falls back to the generic schema", () => {
    const env = ChannelRequest.encode({
      recipientChannel: 9,
      requestType: "env",
      wantReply: false,
      requestData: Uint8Array.of(0, 0, 0, 1, 0x41),
    });
    expect(GetSSHParam(env, "RequestType")).toBe("env");
    expect(GetSSHParam(env, "WantsReply")).toBe("false");
    expect(GetSSHParam(env, "RequestData")).toBe("0000000141");
    expect(hexOf(GetSSHParamBytes(env, "RequestData"))).toBe("0000000141");
  });

  test("RFC 4254 §7.1 / §7b seed alias: RequestType of a GLOBAL_REQUEST is its request name", () => {
    const fwd = GlobalRequestTcpipForward.encode({
      requestName: "tcpip-forward",
      wantReply: true,
      addressToBind: "localhost",
      portToBind: 0,
    });
    expect(GetSSHParam(fwd, "RequestType")).toBe("tcpip-forward");
    expect(GetSSHParam(fwd, "RequestName")).toBe("tcpip-forward");
    expect(GetSSHParam(fwd, "WantsReply")).toBe("true");
    expect(GetSSHParam(fwd, "AddressToBind")).toBe("localhost");
    expect(GetSSHParam(fwd, "PortToBind")).toBe("0");
    expect(hexOf(GetSSHParamBytes(fwd, "PortToBind"))).toBe("00000000");

    const other = GlobalRequest.encode({
      requestName: "no-more-sessions@openssh.com",
      wantReply: false,
      requestData: EMPTY,
    });
    expect(GetSSHParam(other, "RequestType")).toBe("no-more-sessions@openssh.com");
    expect(GetSSHParam(other, "RequestData")).toBe("");
  });

  test.prop(
    [fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 80 })],
    RUNS,
  )(
    "RFC 5656 §4 / §7b: binary fields come back as hex from GetSSHParam and raw from GetSSHParamBytes",
    (hostKey, serverEphemeralPublicKey, signature) => {
      const reply = KexEcdhReply.encode({ hostKey, serverEphemeralPublicKey, signature });
      expect(GetSSHParam(reply, "HostKey")).toBe(Buffer.from(hostKey).toString("hex"));
      expect(GetSSHParam(reply, "Signature")).toBe(Buffer.from(signature).toString("hex"));
      expect(GetSSHParamBytes(reply, "ServerEphemeralPublicKey")).toEqual(serverEphemeralPublicKey);
      expect(GetSSHParamBytes(reply, "HostKey")).toEqual(hostKey);
    },
  );

  test.prop([fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 100 })], RUNS)(
    "RFC 4254 §5.2 / §7b: CHANNEL_DATA's Data is hex text, or the raw bytes (a copy)",
    (recipientChannel, data) => {
      const payload = ChannelData.encode({ recipientChannel, data });
      expect(GetSSHParam(payload, "Data")).toBe(Buffer.from(data).toString("hex"));
      const raw = GetSSHParamBytes(payload, "Data");
      expect(raw).toEqual(data);
      raw.fill(0xaa);
      expect(ChannelData.decode(payload).data).toEqual(data);
      expect(GetSSHParam(payload, "ChannelId")).toBe(String(recipientChannel));
    },
  );

  test("RFC 4253 §7.1 / RFC 8308 §2.3: name-lists, the cookie and extension names read as text", () => {
    const cookie = Uint8Array.from({ length: 16 }, (_, i) => i);
    const kexinit = Kexinit.encode({
      cookie,
      kexAlgorithms: ["curve25519-sha256", "ext-info-c"],
      serverHostKeyAlgorithms: ["ssh-ed25519"],
      encryptionAlgorithmsClientToServer: ["aes128-gcm@openssh.com"],
      encryptionAlgorithmsServerToClient: ["aes128-gcm@openssh.com"],
      macAlgorithmsClientToServer: [],
      macAlgorithmsServerToClient: [],
      compressionAlgorithmsClientToServer: ["none"],
      compressionAlgorithmsServerToClient: ["none"],
      languagesClientToServer: [],
      languagesServerToClient: [],
      firstKexPacketFollows: false,
      reserved: 0,
    });
    expect(GetSSHParam(kexinit, "KexAlgorithms")).toBe("curve25519-sha256,ext-info-c");
    expect(GetSSHParam(kexinit, "MacAlgorithmsClientToServer")).toBe("");
    expect(GetSSHParam(kexinit, "Cookie")).toBe("000102030405060708090a0b0c0d0e0f");
    expect(GetSSHParamBytes(kexinit, "Cookie")).toEqual(cookie);
    expect(GetSSHParam(kexinit, "FirstKexPacketFollows")).toBe("false");
    expect(Buffer.from(GetSSHParamBytes(kexinit, "KexAlgorithms")).toString("ascii")).toBe(
      "curve25519-sha256,ext-info-c",
    );

    const ext = ExtInfo.encode({
      extensions: [
        { name: "server-sig-algs", value: Buffer.from("ssh-ed25519") },
        { name: "ping@openssh.com", value: Buffer.from("0") },
      ],
    });
    expect(GetSSHParam(ext, "Extensions")).toBe("server-sig-algs,ping@openssh.com");
  });

  test("§7b: an unknown field throws a WireError that lists the fields the message has", () => {
    const err = expectWireError(() => GetSSHParam(confirmation, "TerminalType"), "ERR_WIRE_UNKNOWN_FIELD");
    expect(err.message).toContain("SSH_MSG_CHANNEL_OPEN_CONFIRMATION");
    expect(err.message).toContain('"TerminalType"');
    for (const f of [
      "RecipientChannel",
      "SenderChannel",
      "InitialWindowSize",
      "MaximumPacketSize",
      "ChannelTypeData",
    ]) {
      expect(err.message).toContain(f);
    }
    expectWireError(() => GetSSHParamBytes(confirmation, "TerminalType"), "ERR_WIRE_UNKNOWN_FIELD");
  });

  test("RFC 4250 §4.1: a message number no schema declares is a WireError", () => {
    expectWireError(() => GetSSHParam(Uint8Array.of(200, 1, 2), "ChannelId"), "ERR_WIRE_UNKNOWN_MESSAGE");
    expect(GetSSHParam(Uint8Array.of(200, 1, 2), "MessageType")).toBe("200");
  });

  test("RFC 4253 §6: an empty payload has no message number, so every field read is a WireError", () => {
    expectWireError(() => GetSSHParam(EMPTY, "MessageType"), "ERR_WIRE_SHORT_READ");
    expectWireError(() => GetSSHParamBytes(EMPTY, "MessageType"), "ERR_WIRE_SHORT_READ");
    expectWireError(() => GetSSHParam(EMPTY, "ChannelId"));
  });

  test("RFC 4254 §6.10 / §7b: an exit-status request read field by field, as SSHChannelRequest users do", () => {
    const payload = ChannelRequestExitStatus.encode({
      recipientChannel: 5,
      requestType: "exit-status",
      wantReply: false,
      exitStatus: 127,
    });
    // What an SSHChannelRequest handler receives: the packet as hex, decoded back to bytes.
    const packet = DecodePacket(EncodePacket(payload));
    expect(GetSSHParam(packet, "MessageType")).toBe(String(MSG.CHANNEL_REQUEST));
    expect(GetSSHParam(packet, "ChannelId")).toBe("5");
    expect(GetSSHParam(packet, "RequestType")).toBe("exit-status");
    expect(GetSSHParam(packet, "WantsReply")).toBe("false");
    expect(GetSSHParam(packet, "ExitStatus")).toBe("127");
    expect(hexOf(GetSSHParamBytes(packet, "ExitStatus"))).toBe("0000007f");
    expect(hexOf(GetSSHParamBytes(packet, "WantsReply"))).toBe("00");

    // The same request built by hand with SetSSHParam reads back identically.
    let built = SetSSHParam(EMPTY, "b", "98");
    built = SetSSHParam(built, "i", "5");
    built = SetSSHParam(built, "s", "exit-status");
    built = SetSSHParam(built, "f", "false");
    built = SetSSHParam(built, "i", "0x7f");
    expect(hexOf(built)).toBe(hexOf(payload));
    expect(GetSSHParam(built, "ExitStatus")).toBe("127");
  });
});

describe("ipworks-spec.md §7c EncodePacket / DecodePacket", () => {
  test.prop([fc.uint8Array({ maxLength: 300 })], RUNS)(
    "§7c: EncodePacket is lowercase hex (as Buffer writes it) and DecodePacket inverts it",
    (payload) => {
      const text = EncodePacket(payload);
      expect(text).toBe(Buffer.from(payload).toString("hex"));
      expect(DecodePacket(text)).toEqual(payload);
      expect(DecodePacket(text.toUpperCase())).toEqual(payload);
    },
  );

  test("§7c: the lower-camel aliases are the same functions", () => {
    expect(encodePacket).toBe(EncodePacket);
    expect(decodePacket).toBe(DecodePacket);
    expect(hexOf(decodePacket("5e00"))).toBe("5e00");
  });

  test.each([
    ["odd length", "5e0"],
    ["a non-hex character", "5g"],
    ["a 0x prefix", "0x5e"],
    ["base64 text", "XgAAAA=="],
  ])("§7c: DecodePacket rejects %s", (_label, text) => {
    const err = expectWireError(() => DecodePacket(text), "ERR_WIRE_BAD_HEX");
    expect(err).toBeInstanceOf(WireError);
  });

  test("§7c: a decoded packet starts with the message type byte", () => {
    expect(DecodePacket("5e0000000100000000")[0]).toBe(MSG.CHANNEL_DATA);
    expect(bytesOf("5e")).toEqual(DecodePacket("5E"));
  });
});
