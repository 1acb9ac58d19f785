#!/usr/bin/env node
// Writes examples/sample-orders.jsonl.gz, the bundled recording that `npm start` replays and the golden
// test checks. Each group of lines below shows one rule of SPEC at work; run it again after a change and
// update spec/golden/ by hand, checking every difference.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const H0 = Date.UTC(2024, 5, 1, 0, 0, 0); // 2024-06-01T00:00:00Z
const s = (seconds) => H0 + seconds * 1000;
const order = (orderId, customerId, amount, timestamp, items = ['sku-1']) =>
  JSON.stringify({ orderId, customerId, amount, timestamp, items });
const lines = [];
const add = (line) => lines.push(line);

// Ordinary orders of hour 0, money given to the cent.
add(order('o-001', 'alice', 19.99, s(60)));
add(order('o-002', 'bob', 250.5, s(120), ['sku-2', 'sku-3']));
add(order('o-003', 'carol', 0.01, s(180), []));
add(order('o-004', 'alice', 80.01, s(240)));
// Unknown fields are ignored; a CRLF line ending is not part of the line.
add(JSON.stringify({ orderId: 'o-005', customerId: 'dave', amount: 45, timestamp: s(300), items: ['sku-4'], coupon: 'X1' }) + '\r');
// Blank lines are skipped, not dead letters.
add('');
add(' \t ');
// high_amount: above 1000 alerts at once; exactly 1000 does not.
add(order('o-006', 'erin', 1500, s(400)));
add(order('o-007', 'frank', 1000, s(410)));
// Disorder within the 5 s bound: 3 s behind the newest record, still counted.
add(order('o-008', 'bob', 10.1, s(407)));
// velocity: six orders of mallory within 25 s, straddling the minute 00:10 -> 00:11; the sixth alerts.
for (const [i, sec] of [650, 655, 660, 665, 670, 675].entries()) add(order(`o-1${i}0`, 'mallory', 5.25, s(sec)));
// A seventh within the same minute: no second alert for the same burst.
add(order('o-170', 'mallory', 5.25, s(680)));
// Six orders of trent with one timestamp: the sixth to arrive alerts.
for (let i = 0; i < 6; i++) add(order(`o-2${i}0`, 'trent', 1.5, s(1200)));
// Dead letters: not JSON, bad UTF-8, a tombstone-like empty object body, and invalid orders.
add('this is not json');
add('{"orderId": "o-300", "customerId": ');
add(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('latin1'));
add(JSON.stringify({ orderId: 'o-301', customerId: 'alice', amount: -5, timestamp: s(1300), items: [] }));
add(JSON.stringify({ orderId: 'o-302', customerId: '', amount: 5, timestamp: s(1300), items: [] }));
add(JSON.stringify({ orderId: 'o-303', customerId: 'alice', amount: '5.00', timestamp: s(1300), items: [] }));
add(JSON.stringify({ orderId: 'o-304', customerId: 'alice', amount: 5, timestamp: s(1300) + 0.5, items: [] }));
add(JSON.stringify({ orderId: 'o-305', customerId: 'alice', amount: 5, timestamp: s(1300), items: ['ok', 7] }));
add(JSON.stringify({ customerId: 'alice', amount: 5, timestamp: s(1300), items: [] }));
add(JSON.stringify([1, 2, 3]));
// An integer written with a fraction is still an integer: valid.
add(`{"orderId":"o-306","customerId":"Alice","amount":12.34,"timestamp":${s(1400)}.0,"items":[]}`);
// Too large: one byte over 1 MiB.
const pad = 'x'.repeat(1_048_577 - JSON.stringify({ orderId: 'o-307', pad: '' }).length);
add(JSON.stringify({ orderId: 'o-307', pad }));
// The end of hour 0, to the millisecond: a record at 01:00:04.999 brings the watermark to 00:59:59.998,
// so an order at 00:59:59.999 is still on time; one at 01:00:05 brings it to 00:59:59.999: hour 0 fires.
add(order('o-400', 'alice', 30, s(3604.999)));
add(order('o-401', 'bob', 20.25, s(3599.999)));
add(order('o-402', 'carol', 9.99, s(3605)));
// Now hour 0 has fired: this order is late (a dead letter, left out of both windows), yet its amount
// above 1000 still raises a high_amount alert.
add(order('o-403', 'erin', 2000, s(3599.999)));
// Hour 1 continues; an average that rounds half away from zero: 0.01 + 0.02 over two orders = 0.015.
add(order('o-500', 'gina', 0.01, s(4000)));
add(order('o-501', 'gina', 0.02, s(4100)));
// A jump to hour 3 (hour 2 has no orders and so no output); the end of the file fires hours 1 and 3.
add(order('o-600', 'hank', 99.99, s(3 * 3600 + 10)));

writeFileSync(new URL('../examples/sample-orders.jsonl.gz', import.meta.url), gzipSync(Buffer.from(lines.join('\n') + '\n', 'latin1'), { level: 9 }));
console.log(`wrote ${lines.length} lines`);
