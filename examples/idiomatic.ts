// The idiomatic face: connect() → SshClient, listen() → RemoteListener of Duplex streams.
// Run: SSH_HOST=… SSH_PORT=22 SSH_USER=… SSH_PASSWORD=… SSH_FINGERPRINT=SHA256:… npx tsx examples/idiomatic.ts
import * as net from "node:net";
import { connect } from "@purssh/client";

const { SSH_HOST = "127.0.0.1", SSH_PORT = "22", SSH_USER = "", SSH_PASSWORD = "", SSH_FINGERPRINT = "" } = process.env;

await using ssh = await connect({
  host: SSH_HOST,
  port: Number(SSH_PORT),
  username: SSH_USER,
  password: SSH_PASSWORD,
  hostKeys: [SSH_FINGERPRINT], // or an OpenSSH public-key line, or a callback
});
await using listener = await ssh.listen({ host: "127.0.0.1", port: 0 });
console.log(`the server listens on 127.0.0.1:${listener.port}`);

// Serve one connection: answer in upper case, then stop listening.
if (SSH_HOST === "127.0.0.1") {
  const client = net.connect(listener.port, "127.0.0.1", () => client.end("hello"));
  client.on("data", (d) => console.log(`reply: ${d}`));
}
for await (const conn of listener) {
  console.log(`connection from ${conn.originAddress}:${conn.originPort}`);
  conn.on("data", (d: Buffer) => conn.write(d.toString().toUpperCase()));
  conn.on("end", () => conn.end());
  await new Promise((r) => conn.once("close", r));
  break;
}
