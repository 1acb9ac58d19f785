import { expect } from 'chai';
import { formatSpan, formatWindowTime } from '../../lib/model/window-time.js';

describe('window times and spans', () => {
  it('prints UTC without fraction or zone', () => {
    expect(formatWindowTime(Date.UTC(2024, 5, 1))).to.equal('2024-06-01T00:00:00');
    expect(formatWindowTime(0)).to.equal('1970-01-01T00:00:00');
    expect(formatWindowTime(253_402_300_800_000)).to.equal('+010000-01-01T00:00:00');
  });

  it('names spans as people say them', () => {
    expect(formatSpan(60_000)).to.equal('1 minute');
    expect(formatSpan(120_000)).to.equal('2 minutes');
    expect(formatSpan(90_000)).to.equal('90 seconds');
    expect(formatSpan(3_600_000)).to.equal('1 hour');
    expect(formatSpan(1_500)).to.equal('1500 milliseconds');
  });
});
