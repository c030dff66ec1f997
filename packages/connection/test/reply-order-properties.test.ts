// RFC 4254 §4 and §5.4 as properties: replies carry no request id, so whatever order the
// application decides the peer's requests in, each of our requests must settle with the decision
// made for it — global requests and channel requests alike.
import { fc, test as fcTest } from "@fast-check/vitest";
import type { GlobalRequestAnswer, IncomingChannelRequest } from "@purssh/connection";
import { describe, expect } from "vitest";
import { pair, takeOpen, track } from "./pair.js";

/** n decisions and the order (a permutation of 0..n-1) in which the application makes them. */
const decisions = fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }).chain((answers) =>
  fc
    .shuffledSubarray(
      answers.map((_, i) => i),
      { minLength: answers.length, maxLength: answers.length },
    )
    .map((order) => ({ answers, order })),
);

describe("replies in request order (fast-check)", () => {
  fcTest.prop([decisions], { numRuns: 100 })(
    "RFC 4254 §4: global requests decided in any order settle with their own answers",
    async ({ answers, order }) => {
      const held: Array<(a: GlobalRequestAnswer) => void> = [];
      const p = pair({
        server: {
          answerGlobalRequest: () => new Promise<GlobalRequestAnswer>((resolve) => held.push(resolve)),
        },
      });
      const results = answers.map((_, i) => track(p.client.conn.requestForwarding("", 1000 + i)));
      await p.settle();
      expect(held).toHaveLength(answers.length);
      for (const i of order) held[i]!(answers[i]!);
      await p.settle();
      expect(results.map((r) => r.state)).toEqual(answers.map((ok) => (ok ? "resolved" : "rejected")));
      expect(results.map((r) => (r.state === "resolved" ? r.value?.port : undefined))).toEqual(
        answers.map((ok, i) => (ok ? 1000 + i : undefined)),
      );
    },
  );

  fcTest.prop([decisions], { numRuns: 100 })(
    "RFC 4254 §5.4: channel requests decided in any order settle with their own answers",
    async ({ answers, order }) => {
      const p = pair();
      const opening = p.client.conn.openSession();
      await p.settle();
      const server = takeOpen(p.server).accept();
      const requests: IncomingChannelRequest[] = [];
      server.events.request = (r) => requests.push(r);
      await p.settle();
      const client = await opening;
      const results = answers.map((_, i) => track(client.request(`x-${i}@example.com`)));
      await p.settle();
      expect(requests.map((r) => r.type)).toEqual(answers.map((_, i) => `x-${i}@example.com`));
      for (const i of order) (answers[i] ? requests[i]!.accept : requests[i]!.reject)();
      await p.settle();
      expect(results.map((r) => r.value)).toEqual(answers);
    },
  );
});
