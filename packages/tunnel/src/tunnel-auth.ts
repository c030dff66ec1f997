/**
 * SSHAuthMode → the authentication methods SSHLogon offers (ipworks-spec.md §6, RFC 4252, RFC
 * 4256): none, password, public key (SSHCert, SignedSSHCert, SSHPubKeyAuthSigAlgorithms),
 * keyboard-interactive (one SSHKeyboardInteractive event per prompt; a prompt matching
 * PasswordPrompt is answered with SSHPassword without one), multi-factor and
 * TryAllAvailableAuthMethods (every method the credentials can satisfy, in OpenSSH's order),
 * custom (SSHCustomAuth drives each packet) and GSSAPI-with-MIC, which needs a Kerberos library
 * this runtime does not have. EnablePageantAuth maps to the ssh-agent (SSH_AUTH_SOCK).
 * @module
 */
import type { AuthMethod } from "@purssh/auth";
import type { AgentOption } from "@purssh/client";
import { certifiedPrivateKey, parseCertificate } from "@purssh/keys";
import { DecodePacket, EncodePacket } from "@purssh/wire";
import type { Certificate } from "./certificate.js";
import { invalidArgument, SSHTunnelError, SSHTunnelErrorCodes } from "./errors.js";
import type { SSHReverseTunnelEvents } from "./events.js";
import { type TunnelSettings, wildcardMatch } from "./settings.js";

/** SSHAuthMode values (ipworks-spec.md §6). */
export const SSHAuthModes = {
  amNone: 0,
  amMultiFactor: 1,
  amPassword: 2,
  amPublicKey: 3,
  amKeyboardInteractive: 4,
  amGSSAPIWithMic: 5,
  amCustom: 6,
} as const;
export type SSHAuthMode = (typeof SSHAuthModes)[keyof typeof SSHAuthModes];

export interface Credentials {
  user: string;
  password: string;
  authMode: SSHAuthMode;
  cert: Certificate | undefined;
}

/** What the auth mapping needs of the tunnel. */
export interface AuthHost {
  readonly settings: TunnelSettings;
  readonly credentials: Credentials;
  emit<K extends keyof SSHReverseTunnelEvents>(name: K, ...args: SSHReverseTunnelEvents[K]): boolean;
  log(level: number, message: string): void;
}

export interface AuthPlan {
  methods: AuthMethod[];
  /** The ssh-agent to offer keys from (EnablePageantAuth). */
  agent?: AgentOption;
}

/** The methods for the current SSHAuthMode; configuration errors throw before anything connects. */
export function authPlan(t: AuthHost): AuthPlan {
  const { authMode, password } = t.credentials;
  const s = t.settings;
  const agent = agentOption(s.enablePageantAuth);
  const withAgent = (methods: AuthMethod[]): AuthPlan => (agent === undefined ? { methods } : { methods, agent });
  const passwordMethod: AuthMethod = { kind: "password", password };
  if (s.tryAllAvailableAuthMethods && authMode !== SSHAuthModes.amCustom) {
    // Every method the credentials can satisfy, in OpenSSH's PreferredAuthentications order.
    return withAgent([...publicKeyMethods(t, false), keyboardInteractive(t), passwordMethod]);
  }
  switch (authMode) {
    case SSHAuthModes.amNone:
      return { methods: [] };
    case SSHAuthModes.amPassword:
      return { methods: [passwordMethod] };
    case SSHAuthModes.amPublicKey:
      return withAgent(publicKeyMethods(t, agent === undefined));
    case SSHAuthModes.amMultiFactor:
      return withAgent([...publicKeyMethods(t, false), keyboardInteractive(t), passwordMethod]);
    case SSHAuthModes.amKeyboardInteractive:
      return { methods: [keyboardInteractive(t)] };
    case SSHAuthModes.amCustom:
      return { methods: [customMethod(t)] };
    case SSHAuthModes.amGSSAPIWithMic:
      throw new SSHTunnelError(
        SSHTunnelErrorCodes.UNSUPPORTED,
        "SSHAuthMode amGSSAPIWithMic (5) is not available on this runtime: gssapi-with-mic (RFC 4462) needs a " +
          "Kerberos GSS-API library, and this pure-TypeScript stack has none",
      );
    default: {
      const never: never = authMode;
      throw invalidArgument(`unknown SSHAuthMode ${never}`);
    }
  }
}

/** EnablePageantAuth: 0 off; 1 the agent at SSH_AUTH_SOCK if there is one; 2 that agent, required. */
function agentOption(mode: 0 | 1 | 2): AgentOption | undefined {
  if (mode === 0) return undefined;
  if (mode === 1 && !process.env.SSH_AUTH_SOCK) return undefined;
  return true;
}

/** SSHCert (with SignedSSHCert first, as OpenSSH offers a certificate before its plain key). */
function publicKeyMethods(t: AuthHost, required: boolean): AuthMethod[] {
  const k = t.credentials.cert?.privateKey;
  if (!k) {
    if (required) throw invalidArgument("public-key authentication needs SSHCert with a private key");
    return [];
  }
  const algorithms = t.settings.pubKeyAuthSigAlgorithms.filter((a) => k.signatureAlgorithms.includes(a));
  if (algorithms.length === 0) {
    throw invalidArgument(`SSHPubKeyAuthSigAlgorithms allows none of ${k.signatureAlgorithms.join(", ")}`);
  }
  const plain: AuthMethod = { kind: "publickey", key: k, algorithms };
  if (!t.settings.signedSshCert) return [plain];
  const certified = certifiedPrivateKey(k, parseCertificate(t.settings.signedSshCert));
  return [{ kind: "publickey", key: certified }, plain];
}

/** RFC 4256: one SSHKeyboardInteractive per prompt; `response` is the answer. */
function keyboardInteractive(t: AuthHost): AuthMethod {
  return {
    kind: "keyboard-interactive",
    respond: (challenge) => {
      if (challenge.prompts.length === 0) {
        t.log(1, `keyboard-interactive: ${challenge.name} ${challenge.instruction}`.trim());
        return [];
      }
      const pattern = t.settings.passwordPrompt;
      return challenge.prompts.map((p) => {
        if (pattern !== "" && wildcardMatch(pattern, p.prompt.trim())) {
          t.log(2, `keyboard-interactive: answering ${JSON.stringify(p.prompt)} with SSHPassword (PasswordPrompt)`);
          return t.credentials.password;
        }
        const e = {
          name: challenge.name,
          instructions: challenge.instruction,
          prompt: p.prompt,
          echoResponse: p.echo,
          response: "",
        };
        t.emit("SSHKeyboardInteractive", e);
        return String(e.response ?? "");
      });
    },
  };
}

/**
 * amCustom: SSHCustomAuth gets the server's packet as hex (message number first) and the
 * application assigns the hex of the next one to `packet`; leaving it unchanged or empty gives up.
 */
function customMethod(t: AuthHost): AuthMethod {
  return {
    kind: "custom",
    step: (serverPacket) => {
      const incoming = EncodePacket(serverPacket);
      const e = { packet: incoming };
      t.emit("SSHCustomAuth", e);
      const answer = String(e.packet ?? "").trim();
      if (answer === "" || answer.toLowerCase() === incoming) return undefined;
      try {
        return DecodePacket(answer);
      } catch (err) {
        t.log(1, `SSHCustomAuth: the packet is not hex: ${(err as Error).message}`);
        return undefined;
      }
    },
  };
}
