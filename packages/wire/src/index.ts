/**
 * @purssh/wire: SSH data types (RFC 4251 §5), every message as a declarative schema, the packet
 * helpers of the seed class, and the error hierarchy shared by all layers.
 * @module
 */
export * from "./bytes.js";
export * from "./constants.js";
export * from "./errors.js";
export * from "./hot-path.js";
export * from "./messages/connection.js";
export * from "./messages/transport.js";
export * from "./messages/userauth.js";
export * from "./params.js";
export * from "./reader.js";
export * from "./registry.js";
export * from "./schema.js";
export * from "./writer.js";
