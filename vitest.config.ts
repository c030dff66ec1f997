import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const pkgs = [
  "wire",
  "crypto",
  "crypto-node",
  "keys",
  "transport",
  "auth",
  "connection",
  "net",
  "client",
  "server",
  "tunnel",
  "testkit",
];
const alias = Object.fromEntries(
  pkgs.map((p) => [`@purssh/${p}`, fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url))]),
);

export default defineConfig({
  resolve: { alias },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["packages/testkit/src/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
