import { expect } from 'chai';
import fc from 'fast-check';
import { isBlank, LineSplitter } from '../../lib/io/line-splitter.js';

function split(chunks: Buffer[]): Array<[string, number]> {
  const lines: Array<[string, number]> = [];
  const splitter = new LineSplitter((line, n) => lines.push([line.toString('latin1'), n]));
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return lines;
}

describe('LineSplitter', () => {
  it('splits at \\n, drops one \\r before it, numbers lines from 1, keeps a last line without \\n', () => {
    expect(split([Buffer.from('a\r\nb\n\nc\r\r\nd')])).to.deep.equal([
      ['a', 1],
      ['b', 2],
      ['', 3],
      ['c\r', 4],
      ['d', 5],
    ]);
  });

  it('adds no line after a final \\n', () => {
    expect(split([Buffer.from('a\n')])).to.deep.equal([['a', 1]]);
  });

  it('gives the same lines however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', 'é') }), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let at = 0;
        for (const p of points) {
          chunks.push(bytes.subarray(at, p));
          at = p;
        }
        chunks.push(bytes.subarray(at));
        expect(split(chunks)).to.deep.equal(split([bytes]));
      }),
    );
  });

  it('calls a line blank when it holds only spaces and tabs', () => {
    expect(isBlank(Buffer.from(''))).to.equal(true);
    expect(isBlank(Buffer.from(' \t '))).to.equal(true);
    expect(isBlank(Buffer.from(' x '))).to.equal(false);
    expect(isBlank(Buffer.from('\r'))).to.equal(false);
  });
});
