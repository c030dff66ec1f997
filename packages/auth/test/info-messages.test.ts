// RFC 4256 §3.2 / §3.4 message bodies (declared in @purssh/wire's userauth.ts): INFO_REQUEST's
// num-prompts × (prompt, echo) and INFO_RESPONSE's num-responses × response, decoded strictly
// (DESIGN.md principle 1: counts must match, no trailing bytes; principle 9: only WireError).
import { fc } from "@fast-check/vitest";
import {
  concatBytes,
  decodeUserauthInfoRequest,
  decodeUserauthInfoResponse,
  encodeUserauthInfoRequest,
  encodeUserauthInfoResponse,
  USERAUTH_INFO_REQUEST,
  USERAUTH_INFO_RESPONSE,
  UserauthInfoRequest,
  UserauthInfoResponse,
  utf8Encode,
  WireError,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";

const u32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const str = (s: string) => concatBytes(u32(utf8Encode(s).length), utf8Encode(s));
const promptArb = fc.record({ prompt: fc.string({ maxLength: 20 }), echo: fc.boolean() });

describe("SSH_MSG_USERAUTH_INFO_REQUEST (RFC 4256 §3.2)", () => {
  test("RFC 4256 §3.2: the byte layout is name, instruction, language tag, num-prompts, (prompt, echo)*", () => {
    const bytes = encodeUserauthInfoRequest({
      name: "N",
      instruction: "I",
      languageTag: "",
      prompts: [
        { prompt: "Password: ", echo: false },
        { prompt: "User: ", echo: true },
      ],
    });
    expect(bytes).toEqual(
      concatBytes(
        Uint8Array.of(60),
        str("N"),
        str("I"),
        str(""),
        u32(2),
        str("Password: "),
        Uint8Array.of(0),
        str("User: "),
        Uint8Array.of(1),
      ),
    );
    expect(USERAUTH_INFO_REQUEST).toBe(60);
  });

  test("RFC 4256 §3.2: encode → decode round-trips any prompts, including none", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.array(promptArb, { maxLength: 6 }), (name, instruction, prompts) => {
        const v = { name, instruction, languageTag: "", prompts };
        expect(decodeUserauthInfoRequest(encodeUserauthInfoRequest(v))).toEqual(v);
      }),
    );
  });

  test("DESIGN.md principle 1: a count that disagrees with the prompts, or trailing bytes, is a WireError", () => {
    const raw = (count: number, body: Uint8Array) =>
      UserauthInfoRequest.encode({ name: "", instruction: "", languageTag: "", numPrompts: count, prompts: body });
    const one = concatBytes(str("p"), Uint8Array.of(1));
    expect(() => decodeUserauthInfoRequest(raw(2, one))).toThrow(WireError);
    expect(() => decodeUserauthInfoRequest(raw(0, one))).toThrow(WireError);
    expect(() => decodeUserauthInfoRequest(raw(1, concatBytes(one, Uint8Array.of(0))))).toThrow(WireError);
    expect(() => decodeUserauthInfoRequest(raw(0xffffffff, one))).toThrow(WireError);
    expect(() => decodeUserauthInfoRequest(raw(1, concatBytes(str("p"), Uint8Array.of(2))))).toThrow(WireError);
  });
});

describe("SSH_MSG_USERAUTH_INFO_RESPONSE (RFC 4256 §3.4)", () => {
  test("RFC 4256 §3.4: the byte layout is num-responses, response*", () => {
    expect(encodeUserauthInfoResponse(["a", ""])).toEqual(concatBytes(Uint8Array.of(61), u32(2), str("a"), str("")));
    expect(encodeUserauthInfoResponse([])).toEqual(concatBytes(Uint8Array.of(61), u32(0)));
    expect(USERAUTH_INFO_RESPONSE).toBe(61);
  });

  test("RFC 4256 §3.4: encode → decode round-trips", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), (responses) => {
        expect(decodeUserauthInfoResponse(encodeUserauthInfoResponse(responses))).toEqual(responses);
      }),
    );
  });

  test("DESIGN.md principle 9: random bodies decode or raise a WireError, nothing else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (tail, request) => {
        const payload = Uint8Array.from([request ? 60 : 61, ...tail]);
        try {
          if (request) decodeUserauthInfoRequest(payload);
          else decodeUserauthInfoResponse(payload);
        } catch (e) {
          expect(e).toBeInstanceOf(WireError);
        }
      }),
      { numRuns: 500 },
    );
    const bad = UserauthInfoResponse.encode({ numResponses: 1_000_000, responses: new Uint8Array(8) });
    expect(() => decodeUserauthInfoResponse(bad)).toThrow(WireError);
  });
});
