/**
 * Defaults and bounds of the connection protocol (RFC 4254; DESIGN.md principles 6, 7 and 9):
 * every limit this package enforces on a peer, each with where its value comes from.
 * @module
 */

/**
 * Receive window announced for each channel: OpenSSH's CHAN_SES_WINDOW_DEFAULT (64 packets of
 * 32 KiB), DESIGN.md principle 6.
 */
export const DEFAULT_WINDOW_SIZE = 2 * 1024 * 1024;

/**
 * Largest CHANNEL_DATA we accept: OpenSSH's CHAN_SES_PACKET_DEFAULT, within the 32,768-byte
 * payload every implementation must handle (RFC 4253 §6.1).
 */
export const DEFAULT_MAX_PACKET_SIZE = 32 * 1024;

/**
 * Channels open (or opening, either direction) at once before the peer's opens are refused with
 * RESOURCE_SHORTAGE. Our choice, well below OpenSSH's hard cap (CHANNELS_MAX_CHANNELS, 16,384),
 * so one peer cannot pin more than this many windows of memory.
 */
export const MAX_CHANNELS = 1000;

/**
 * Incoming channel opens waiting for the application's accept/reject before new ones are refused
 * with RESOURCE_SHORTAGE (DESIGN.md principle 7: bounded backlogs). Our choice, the order of a
 * listen(2) backlog.
 */
export const MAX_PENDING_OPENS = 256;

/**
 * Outgoing bytes queued per channel before `write` reports backpressure: our choice, eight packets
 * of DEFAULT_MAX_PACKET_SIZE.
 */
export const CHANNEL_WRITE_HIGH_WATER = 256 * 1024;

/**
 * Global requests with want-reply the peer may have waiting for our answer (RFC 4254 §4). Replies
 * must leave in request order, so an answer decided early is held behind the ones before it; past
 * this many the connection fails with ERR_TOO_MANY_PENDING_REQUESTS rather than holding replies
 * without bound (replying FAILURE early would break the order). Our choice: ssh(1) pipelines one
 * tcpip-forward per -R option at startup, and no real command line has 256 of them.
 */
export const MAX_PENDING_GLOBAL_REQUESTS = 256;

/**
 * Channel requests with want-reply waiting for our answer on one channel (RFC 4254 §5.4), failing
 * the connection past it for the same reason as MAX_PENDING_GLOBAL_REQUESTS. Our choice: ssh(1)
 * has at most a handful in flight on a session (pty-req, x11-req, auth-agent-req, env, exec).
 */
export const MAX_PENDING_CHANNEL_REQUESTS = 64;
