/**
 * The small part of the `ssh2` package (1.17, a devDependency without bundled types) that the
 * benchmark uses: a client, remote forwarding (forwardIn / 'tcp connection') and the negotiated
 * algorithms. Written from ssh2's README and lib/client.js.
 */
declare module "ssh2" {
  import type { EventEmitter } from "node:events";
  import type { Duplex } from "node:stream";

  export interface TcpConnectionDetails {
    destIP: string;
    destPort: number;
    srcIP: string;
    srcPort: number;
  }

  export interface ConnectConfig {
    host: string;
    port: number;
    username: string;
    password?: string;
    privateKey?: Buffer | string;
    /** Without hostHash: called with the raw host-key blob. */
    hostVerifier?: (key: Buffer) => boolean;
    algorithms?: { cipher?: string[]; kex?: string[]; serverHostKey?: string[]; hmac?: string[] };
    readyTimeout?: number;
  }

  export interface NegotiatedAlgorithms {
    kex: string;
    serverHostKey: string;
    cs: { cipher: string; mac: string; compress: string; lang: string };
    sc: { cipher: string; mac: string; compress: string; lang: string };
  }

  export type ClientChannel = Duplex;

  export class Client extends EventEmitter {
    connect(config: ConnectConfig): this;
    forwardIn(host: string, port: number, callback: (err: Error | undefined, port: number) => void): boolean;
    end(): this;
    destroy(): this;
    on(event: "ready" | "close" | "end", listener: () => void): this;
    on(event: "error", listener: (err: Error) => void): this;
    on(event: "handshake", listener: (negotiated: NegotiatedAlgorithms) => void): this;
    on(
      event: "tcp connection",
      listener: (details: TcpConnectionDetails, accept: () => ClientChannel, reject: () => void) => void,
    ): this;
    once(event: "ready" | "close" | "end", listener: () => void): this;
    once(event: "error", listener: (err: Error) => void): this;
    once(event: "handshake", listener: (negotiated: NegotiatedAlgorithms) => void): this;
  }
}
