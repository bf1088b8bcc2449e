// Our log ids of the messages an EAEU member's gateway received: it knows each by its wsa:MessageID (a business key of ours), not by our id.
import type { ReceivedMessage } from '../../src/sim/partner-simulator.js';

/** Reads one message's detail from the gateway's API. */
export type DetailOf = (id: string) => Promise<{ businessKeys?: Record<string, string> }>;

/**
 * What the member received, each with our log id in `messageId` instead of its wsa:MessageID (ids of
 * messages not in `ours` are left as received, so a stray one stands out).
 */
export async function receivedByOurId(detailOf: DetailOf, ours: Iterable<string>, received: readonly ReceivedMessage[]): Promise<ReceivedMessage[]> {
  const ids = [...ours];
  const byWsa = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 50) {
    const chunk = ids.slice(i, i + 50);
    const details = await Promise.all(chunk.map(detailOf));
    details.forEach((d, j) => {
      const wsa = d.businessKeys?.messageId;
      if (wsa) byWsa.set(`urn:uuid:${wsa}`, chunk[j]!);
    });
  }
  return received.map((r) => ({ ...r, messageId: byWsa.get(r.messageId) ?? r.messageId }));
}
