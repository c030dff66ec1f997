// A Connection whose send captures payloads and whose canSendData is controllable, plus builders
// for the server's side of the conversation, for the RFC 4254 unit tests of this package.
import {
  type Channel,
  Connection,
  type ConnectionOptions,
  type ForwardedTcpipOpen,
  type RemoteForward,
} from "@purssh/connection";
import {
  ChannelData,
  ChannelOpenFailure,
  ChannelOpenForwardedTcpip,
  ChannelWindowAdjust,
  MSG,
  RequestSuccess,
  RequestSuccessTcpipForward,
} from "@purssh/wire";

export interface Harness {
  conn: Connection;
  /** Every payload the connection sent, in order. */
  sent: Uint8Array[];
  /** forwarded-tcpip opens handed to the application. */
  opens: ForwardedTcpipOpen[];
  /** Global requests handed to the application. */
  globalRequests: { name: string; payload: Uint8Array }[];
  /** What canSendData() answers. */
  writable: boolean;
  /** Removes and returns everything sent so far. */
  take(): Uint8Array[];
}

export function harness(options: Partial<ConnectionOptions> = {}): Harness {
  const h: Harness = {
    conn: undefined as unknown as Connection,
    sent: [],
    opens: [],
    globalRequests: [],
    writable: true,
    take: () => h.sent.splice(0),
  };
  h.conn = new Connection({
    send: (p) => h.sent.push(p),
    canSendData: () => h.writable,
    onForwardedTcpip: (o) => h.opens.push(o),
    onGlobalRequest: (name, payload) => h.globalRequests.push({ name, payload }),
    ...options,
  });
  return h;
}

/** Lets promise continuations run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Observes a promise's outcome without awaiting it. */
export function track<T>(p: Promise<T>): { state: "pending" | "resolved" | "rejected"; value?: T; error?: unknown } {
  const t: { state: "pending" | "resolved" | "rejected"; value?: T; error?: unknown } = { state: "pending" };
  p.then(
    (v) => {
      t.state = "resolved";
      t.value = v;
    },
    (e) => {
      t.state = "rejected";
      t.error = e;
    },
  );
  return t;
}

/** Asks for a forwarding and answers it the way OpenSSH does (port 0: bound port in the reply). */
export async function forward(h: Harness, address: string, port: number, boundPort = port): Promise<RemoteForward> {
  const p = h.conn.requestForwarding(address, port);
  h.conn.handle(
    port === 0
      ? RequestSuccessTcpipForward.encode({ boundPort })
      : RequestSuccess.encode({ responseData: new Uint8Array(0) }),
  );
  const f = await p;
  h.take();
  return f;
}

export interface OpenParams {
  senderChannel?: number;
  initialWindowSize?: number;
  maximumPacketSize?: number;
  connectedAddress?: string;
  connectedPort?: number;
  originatorAddress?: string;
  originatorPort?: number;
}

export function forwardedTcpipOpen(p: OpenParams = {}): Uint8Array {
  return ChannelOpenForwardedTcpip.encode({
    channelType: "forwarded-tcpip",
    senderChannel: p.senderChannel ?? 7,
    initialWindowSize: p.initialWindowSize ?? 2 * 1024 * 1024,
    maximumPacketSize: p.maximumPacketSize ?? 32 * 1024,
    connectedAddress: p.connectedAddress ?? "127.0.0.1",
    connectedPort: p.connectedPort ?? 8022,
    originatorAddress: p.originatorAddress ?? "203.0.113.9",
    originatorPort: p.originatorPort ?? 51515,
  });
}

/** Holds a forwarding on 127.0.0.1:8022 and accepts one forwarded-tcpip channel on it. */
export async function acceptedChannel(
  params: OpenParams = {},
  options: Partial<ConnectionOptions> = {},
): Promise<{ h: Harness; ch: Channel; remoteId: number }> {
  const h = harness(options);
  await forward(h, "127.0.0.1", 8022);
  const remoteId = params.senderChannel ?? 7;
  h.conn.handle(forwardedTcpipOpen({ connectedAddress: "127.0.0.1", connectedPort: 8022, ...params }));
  const open = h.opens.shift();
  if (!open) throw new Error("the forwarded-tcpip open did not reach the application");
  const ch = open.accept();
  h.take();
  return { h, ch, remoteId };
}

/** The one CHANNEL_OPEN_FAILURE sent, decoded. */
export function openFailure(sent: Uint8Array[]): ChannelOpenFailure {
  expectOnly(sent, MSG.CHANNEL_OPEN_FAILURE);
  return ChannelOpenFailure.decode(sent[0]!);
}

function expectOnly(sent: Uint8Array[], n: number): void {
  const numbers = sent.map((p) => p[0]);
  if (numbers.length !== 1 || numbers[0] !== n) {
    throw new Error(`expected exactly one message ${n}, got [${numbers.join(", ")}]`);
  }
}

/** The CHANNEL_DATA payloads among `sent`, decoded with the schema codec. */
export function dataPackets(sent: Uint8Array[]): ChannelData[] {
  return sent.filter((p) => p[0] === MSG.CHANNEL_DATA).map((p) => ChannelData.decode(p));
}

export function windowAdjusts(sent: Uint8Array[]): ChannelWindowAdjust[] {
  return sent.filter((p) => p[0] === MSG.CHANNEL_WINDOW_ADJUST).map((p) => ChannelWindowAdjust.decode(p));
}

/** CHANNEL_DATA from the server, encoded with the schema codec. */
export function peerData(recipientChannel: number, data: Uint8Array): Uint8Array {
  return ChannelData.encode({ recipientChannel, data });
}

export function peerWindowAdjust(recipientChannel: number, bytesToAdd: number): Uint8Array {
  return ChannelWindowAdjust.encode({ recipientChannel, bytesToAdd });
}

/** Bytes 0, 1, 2, … (mod 251) so misordered or duplicated chunks show up. */
export function pattern(n: number, offset = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + offset) % 251;
  return out;
}

/** Calls fn and returns what it threw (or fails if it did not throw). */
export function thrown(fn: () => unknown): Error & { code?: string; reason?: number } {
  try {
    fn();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error("expected a throw");
}
