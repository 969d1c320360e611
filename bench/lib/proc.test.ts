import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuSeconds, cpuTicksFromStat, peakRssBytes, statusBytes } from './proc.js';

describe('/proc readings', () => {
  it('counts CPU ticks after the command name, even one with spaces and parentheses', () => {
    const stat = '4242 (node (a b)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 10 5 20 0 11 0';
    assert.equal(cpuTicksFromStat(stat), 325);
    assert.equal(cpuTicksFromStat(stat, true), 340);
  });

  it('reads kB fields of /proc/PID/status in bytes', () => {
    const status = 'Name:\tnode\nVmHWM:\t  175936 kB\nVmRSS:\t  162592 kB\n';
    assert.equal(statusBytes(status, 'VmHWM'), 175936 * 1024);
    assert.equal(statusBytes(status, 'VmSwap'), undefined);
  });

  it('reads this process: CPU grows with work, the peak RSS is at least the current RSS', () => {
    const before = cpuSeconds(process.pid);
    let x = 0;
    const until = Date.now() + 50;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    assert.ok(x > 0);
    assert.ok(cpuSeconds(process.pid) > before);
    assert.ok(peakRssBytes(process.pid) >= process.memoryUsage().rss * 0.9);
  });
});
