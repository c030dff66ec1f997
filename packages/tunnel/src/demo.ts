/**
 * `npm start`: the newcomer's live demo. Starts a small local HTTP app, logs in to an SSH server
 * with SSHReverseTunnel, pins the host key, asks the server to listen on a port of its choice
 * (port 0) relayed to the app, fetches a page through that forwarded port, and then prints a live
 * line of connections and bytes until Ctrl-C.
 *
 * Until the embedded server arrives, the SSH server is one you name:
 *   npm start -- --host 127.0.0.1 --port 22 --user me --password secret [--fingerprint SHA256:…]
 *   npm start -- --host example.org --user me --key ~/.ssh/id_ed25519
 * @module
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { Certificate } from "./certificate.js";
import { SSHAuthModes, SSHReverseTunnel } from "./tunnel.js";

const USAGE = `purssh demo: a reverse tunnel from an SSH server to a local web app

  npm start -- --host HOST [--port 22] --user USER (--password PW | --key FILE) [--fingerprint SHA256:...]

It starts an HTTP app on 127.0.0.1, logs in to HOST with SSHReverseTunnel, asks the server to
listen on a port of its choice (forwarded to the app), fetches a page through it, and then shows
live connection and byte counts until Ctrl-C. Without --fingerprint the host key is pinned on
first use (printed, then accepted) — pass --fingerprint to verify it.

The embedded purssh server (a later release) will make this run with no arguments.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: "string" },
      port: { type: "string", default: "22" },
      user: { type: "string" },
      password: { type: "string" },
      key: { type: "string" },
      fingerprint: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help || !values.host || !values.user || (!values.password && !values.key)) {
    console.log(USAGE);
    return;
  }
  let hits = 0;
  const app = http.createServer((req, res) => {
    hits++;
    res.end(`hello from the local app through purssh (request ${hits}: ${req.url})\n`);
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  const appPort = (app.address() as AddressInfo).port;
  console.log(`1. local app listening on 127.0.0.1:${appPort}`);

  const tunnel = new SSHReverseTunnel();
  tunnel.setSSHUser(values.user);
  if (values.key) {
    tunnel.setSSHAuthMode(SSHAuthModes.amPublicKey);
    tunnel.setSSHCert(await Certificate.fromFile(values.key));
  } else tunnel.setSSHPassword(values.password ?? "");
  tunnel.on("SSHServerAuthentication", (e) => {
    const sha = Certificate.fromPublicKeyBlob(e.hostKeyB).fingerprint;
    e.accept = values.fingerprint ? sha === values.fingerprint.replace(/=+$/, "") : true;
    console.log(
      `2. server host key ${e.keyAlgorithm} ${sha} ${e.accept ? "accepted" : "REJECTED"}${values.fingerprint ? " (pinned)" : " (first use)"}`,
    );
  });
  let open = 0;
  let total = 0;
  tunnel.on("SSHChannelOpened", () => {
    open++;
    total++;
  });
  tunnel.on("SSHChannelClosed", () => {
    open--;
  });
  tunnel.on("Error", (e) => console.error(`error ${e.errorCode}: ${e.description}`));

  await tunnel.SSHLogon(values.host, Number(values.port));
  console.log(`3. logged on to ${tunnel.config("ServerSSHVersionString")}`);
  await tunnel.requestForwarding("127.0.0.1", 0, "127.0.0.1", appPort);
  const port = Number(tunnel.config("ForwardedPort"));
  console.log(`4. the server listens on its 127.0.0.1:${port}, relayed to the app`);
  if (values.host === "127.0.0.1" || values.host === "localhost") {
    const body = await fetch(`http://127.0.0.1:${port}/through-the-tunnel`).then((r) => r.text());
    console.log(`5. fetched through the tunnel: ${body.trim()}`);
  } else {
    console.log(`5. on ${values.host}, run: curl http://127.0.0.1:${port}/`);
  }
  const timer = setInterval(() => {
    process.stdout.write(`\r   live: ${open} open, ${total} connections, ${hits} requests served   `);
  }, 500);
  process.once("SIGINT", async () => {
    clearInterval(timer);
    console.log("\n6. logging off");
    await tunnel.SSHLogoff();
    app.close();
  });
}

main().catch((e: Error & { code?: number }) => {
  console.error(`demo failed${e.code ? ` (${e.code})` : ""}: ${e.message}`);
  process.exitCode = 1;
});
