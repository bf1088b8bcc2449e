// A process for the WAL sync oracle: accepts records into a SQLite log in concurrent bursts (some at once, some trickling in) and takes them for delivery at once, writing a marker to stderr before each commit and take and after each answer and taken message, so a syscall trace shows their order.
import { writeSync } from 'node:fs';
import { openSqliteMessageStore } from '../../src/store/sqlite-message-store.js';
import { newMessage, PARTNER, sourceRecord } from '../conformance/store-fixtures.js';

const [file = '', burstsText = '4', sizeText = '16'] = process.argv.slice(2);
// Opened and closed once first, so the log file is created by this run's first commit (closing the last connection removes it).
await openSqliteMessageStore(file).close();
const store = openSqliteMessageStore(file);
// Another connection to the file, as a second gateway process on the same log would have: it knows nothing of the first's writes.
const other = openSqliteMessageStore(file);
let n = 0;
for (let burst = 0; burst < Number(burstsText); burst += 1) {
  const answers: Array<Promise<void>> = [];
  for (let i = 0; i < Number(sizeText); i += 1) {
    // Odd bursts trickle, one commit per turn of the event loop, so commits land while a sync is running.
    if (burst % 2 === 1) await new Promise((resolve) => setImmediate(resolve));
    const at = (n += 1);
    writeSync(2, `commit ${at}\n`);
    const accepted = store.acceptBatch([{ record: sourceRecord(`WAL-${at}`), messages: [newMessage(at)] }], Date.now());
    answers.push(accepted.then(() => void writeSync(2, `ack ${at}\n`)));
  }
  // Taken while their accepts are still being synced, as a delivery worker would: of this process, or (odd bursts) of another.
  writeSync(2, 'take\n');
  const taken = (burst % 2 === 0 ? store : other).claimDue(PARTNER, Number(sizeText), Date.now() + 1_000, 60_000, 'oracle').then((messages) => {
    // Message ids end in their record's number (store-fixtures messageId).
    for (const message of messages) writeSync(2, `taken ${Number(message.id.slice(-12))}\n`);
  });
  await Promise.all([...answers, taken]);
}
await other.close();
await store.close();
