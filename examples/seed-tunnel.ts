// The seed-compatible face: SSHReverseTunnel, as code written for the vendor's class uses it.
// Run: SSH_HOST=… SSH_PORT=22 SSH_USER=… SSH_PASSWORD=… SSH_FINGERPRINT=SHA256:… npx tsx examples/seed-tunnel.ts
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { Certificate, SSHReverseTunnel } from "@purssh/tunnel";

const { SSH_HOST = "127.0.0.1", SSH_PORT = "22", SSH_USER = "", SSH_PASSWORD = "", SSH_FINGERPRINT = "" } = process.env;

// A local service to expose on the server.
const app = http.createServer((_req, res) => res.end("hello through purssh\n"));
await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
const appPort = (app.address() as AddressInfo).port;

const t = new SSHReverseTunnel();
t.setSSHUser(SSH_USER);
t.setSSHPassword(SSH_PASSWORD); // SSHAuthMode defaults to amPassword
t.on("SSHServerAuthentication", (e) => {
  // Pin the server: accept only the key whose SHA256 fingerprint we know.
  e.accept = Certificate.fromPublicKeyBlob(e.hostKeyB).fingerprint === SSH_FINGERPRINT;
});
t.on("SSHChannelOpened", (e) => console.log(`connection ${e.channelId} opened`));
await t.SSHLogon(SSH_HOST, Number(SSH_PORT));

// Local-forwarding mode: every connection to the server's port is relayed to the app.
await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", appPort);
const port = t.config("ForwardedPort");
console.log(`the server listens on 127.0.0.1:${port}`);
if (SSH_HOST === "127.0.0.1") console.log(await (await fetch(`http://127.0.0.1:${port}/`)).text());

await t.SSHLogoff();
app.close();
