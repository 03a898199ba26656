/**
 * A caller's connections as Redis sees them, for the tests that connect a caller as an ACL
 * user of its own and act on its connections (remote-missed-events.test.ts,
 * remote-answers-ahead.test.ts): `CLIENT LIST`'s lines of that user, and whether its event
 * reader waits in a blocking XREAD.
 */
import type { Redis } from 'ioredis';

/** CLIENT LIST's lines of the connections of `user`. */
export async function clientsOf(admin: Redis, user: string): Promise<string[]> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` user=${user} `));
}

/** Whether an event stream reader of `user` waits in a blocking XREAD. */
export async function readerBlocked(admin: Redis, user: string): Promise<boolean> {
  return (await clientsOf(admin, user)).some((line) => / flags=\S*b/.test(line) && line.includes(' cmd=xread '));
}

/** End the blocked reads of `user`'s connections with an error (CLIENT UNBLOCK … ERROR). */
export async function unblockReaders(admin: Redis, user: string): Promise<void> {
  for (const line of await clientsOf(admin, user)) {
    if (line.includes(' cmd=xread ')) await admin.call('CLIENT', 'UNBLOCK', /^id=(\d+) /.exec(line)![1]!, 'ERROR');
  }
}
