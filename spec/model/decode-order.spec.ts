import { expect } from 'chai';
import { decodeOrder, MAX_RECORD_BYTES } from '../../lib/model/decode-order.js';
import { MAX_TIMESTAMP } from '../../lib/model/order.js';
import type { SourceRecord } from '../../lib/model/source.js';
import { orderLine } from '../helpers/orders.js';

const rec = (value: Uint8Array | string | null): SourceRecord => ({ kind: 'record', partition: 2, offset: 41, value });
const reasonOf = (value: Uint8Array | string | null) => {
  const out = decodeOrder(rec(value));
  return out.kind === 'dead-letter' ? out.reason : 'order';
};
const detailOf = (value: string) => {
  const out = decodeOrder(rec(value));
  return out.kind === 'dead-letter' ? out.detail : '';
};

describe('decodeOrder', () => {
  it('decodes a valid order from bytes or text, ignoring unknown fields, keeping its position and raw bytes', () => {
    const bytes = Buffer.from(orderLine({ orderId: 'o-1', customerId: 'C', amount: 1.5, timestamp: 1717200000000, items: ['a'], extra: { x: 1 } } as never));
    const out = decodeOrder(rec(bytes));
    if (out.kind !== 'order') throw new Error(`not an order: ${out.detail}`);
    expect(out.order).to.deep.equal({ orderId: 'o-1', customerId: 'C', amount: 1.5, timestamp: 1717200000000, items: ['a'], extra: { x: 1 } });
    expect(out.source).to.include({ partition: 2, offset: 41 });
    expect(out.raw).to.equal(bytes);
  });

  it('takes a timestamp written with a zero fraction as the integer it is', () => {
    expect(reasonOf('{"orderId":"o","customerId":"c","amount":1,"timestamp":1717200000000.0,"items":[]}')).to.equal('order');
  });

  it('accepts timestamps from 0 to the end of 9999 and refuses one outside', () => {
    expect(reasonOf(orderLine({ timestamp: 0 }))).to.equal('order');
    expect(reasonOf(orderLine({ timestamp: MAX_TIMESTAMP }))).to.equal('order');
    expect(reasonOf(orderLine({ timestamp: MAX_TIMESTAMP + 1 }))).to.equal('invalid');
    expect(reasonOf(orderLine({ timestamp: -1 }))).to.equal('invalid');
    expect(reasonOf(orderLine({ timestamp: 1.5 }))).to.equal('invalid');
    expect(reasonOf(orderLine({ timestamp: '1717200000000' }))).to.equal('invalid');
  });

  it('refuses amounts that are negative, not finite or not numbers; 0 is fine', () => {
    expect(reasonOf(orderLine({ amount: 0 }))).to.equal('order');
    expect(reasonOf(orderLine({ amount: -0.01 }))).to.equal('invalid');
    expect(reasonOf('{"orderId":"o","customerId":"c","amount":1e999,"timestamp":1,"items":[]}')).to.equal('invalid');
    expect(reasonOf(orderLine({ amount: '5' }))).to.equal('invalid');
  });

  it('names the field and what was expected', () => {
    expect(detailOf(orderLine({ amount: -5 }))).to.equal('amount: expected a finite number >= 0, got -5');
    expect(detailOf(orderLine({ customerId: '' }))).to.equal('customerId: expected a non-empty string, got ""');
    expect(detailOf(orderLine({ items: ['a', 3] }))).to.equal('items.1: expected a string, got 3');
    expect(detailOf(orderLine({ items: 'a' }))).to.equal('items: expected an array of strings, got "a"');
    expect(detailOf('{"customerId":"c","amount":1,"timestamp":1,"items":[]}')).to.equal('orderId: expected a non-empty string, got nothing (missing)');
    expect(detailOf('"just a string"')).to.equal('record: expected an object, got "just a string"');
    expect(detailOf('null')).to.equal('record: expected an object, got null');
  });

  it('lists every bad field', () => {
    expect(detailOf('{"orderId":"","customerId":"c","amount":-1,"timestamp":1,"items":[]}')).to.equal(
      'orderId: expected a non-empty string, got ""; amount: expected a finite number >= 0, got -1',
    );
  });

  it('compares customer ids exactly: no trimming', () => {
    const out = decodeOrder(rec(orderLine({ customerId: ' Bob ' })));
    expect(out.kind === 'order' && out.order.customerId).to.equal(' Bob ');
  });

  it('refuses a record over 1 MiB as too_large, and takes exactly 1 MiB', () => {
    const sized = (bytes: number) => {
      const base = orderLine({ items: [''] });
      return base.replace('[""]', `["${'x'.repeat(bytes - base.length)}"]`);
    };
    expect(Buffer.byteLength(sized(MAX_RECORD_BYTES))).to.equal(MAX_RECORD_BYTES);
    expect(reasonOf(Buffer.from(sized(MAX_RECORD_BYTES)))).to.equal('order');
    expect(reasonOf(Buffer.from(sized(MAX_RECORD_BYTES + 1)))).to.equal('too_large');
    expect(reasonOf(sized(MAX_RECORD_BYTES + 1))).to.equal('too_large');
  });

  it('counts bytes, not characters, for the size limit', () => {
    const base = orderLine({ items: [''] });
    const euros = '€'.repeat(Math.ceil((MAX_RECORD_BYTES - base.length) / 3) + 1);
    expect(reasonOf(base.replace('[""]', `["${euros}"]`))).to.equal('too_large');
  });

  it('sets aside as not_json: bad UTF-8, bad JSON, an empty value and a tombstone', () => {
    expect(reasonOf(Buffer.from([0x7b, 0xff, 0x7d]))).to.equal('not_json');
    expect(reasonOf('{"orderId":')).to.equal('not_json');
    expect(reasonOf('')).to.equal('not_json');
    expect(reasonOf(Buffer.alloc(0))).to.equal('not_json');
    expect(reasonOf(null)).to.equal('not_json');
  });

  it('keeps the raw value of a dead letter untouched', () => {
    const raw = Buffer.from([0x7b, 0xff, 0x7d]);
    const out = decodeOrder(rec(raw));
    expect(out.kind === 'dead-letter' && out.raw).to.equal(raw);
  });
});
