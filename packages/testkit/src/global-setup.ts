// Placeholder; replaced by the sshd harness.
export default async function setup(): Promise<void> {}
