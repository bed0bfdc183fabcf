/** The stand-ins' mailbox (../mailbox.ts; its tests live here, beside its first sender). */
import { describe, expect, it, vi } from 'vitest';
import { Mailbox } from '../mailbox.js';
import { maskEmail, otpCodeFrom } from './index.js';

const mail = (to: string, text = 'hello') => ({ to, subject: 'Subject', text });

describe('Mailbox', () => {
  it('keeps messages newest first, stamped by its clock', () => {
    let now = 1_000;
    const box = new Mailbox({ now: () => now });
    box.deliver(mail('a@example.com', 'first'));
    now = 2_000;
    const second = box.deliver(mail('b@example.com', 'second'));
    expect(second).toEqual({ id: 'm2', to: 'b@example.com', subject: 'Subject', text: 'second', at: 2_000 });
    expect(box.list().map((m) => m.text)).toEqual(['second', 'first']);
    expect(box.list('A@EXAMPLE.COM').map((m) => m.id)).toEqual(['m1']);
  });

  it('latest(to) finds the newest message to an address, in any case', () => {
    const box = new Mailbox();
    box.deliver(mail('ada@example.com', 'old'));
    box.deliver(mail('other@example.com'));
    box.deliver(mail('Ada@Example.com', 'new'));
    expect(box.latest('ADA@example.com')?.text).toBe('new');
    expect(box.latest('nobody@example.com')).toBeUndefined();
  });

  it('tells listeners until they stop; one that throws does not stop delivery', () => {
    const box = new Mailbox();
    const seen: string[] = [];
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    box.onMessage(() => {
      throw new Error('broken listener');
    });
    const stop = box.onMessage((m) => seen.push(m.id));
    box.deliver(mail('a@example.com'));
    stop();
    box.deliver(mail('a@example.com'));
    expect(seen).toEqual(['m1']);
    expect(box.list()).toHaveLength(2);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('broken listener'));
    warn.mockRestore();
  });

  it('keeps at most `limit` messages, dropping the oldest', () => {
    const box = new Mailbox({ limit: 2 });
    for (const text of ['1', '2', '3']) box.deliver(mail('a@example.com', text));
    expect(box.list().map((m) => m.text)).toEqual(['3', '2']);
    box.clear();
    expect(box.list()).toEqual([]);
    expect(() => new Mailbox({ limit: 0 })).toThrow('Mailbox limit must be a positive integer, got 0');
  });
});

describe('sign-in emails', () => {
  it('the code is read back from the text', () => {
    expect(otpCodeFrom('Your code is 01234567\n\nEnter it...')).toBe('01234567');
    expect(otpCodeFrom('no code here')).toBeUndefined();
  });

  it('the destination is masked as Cognito masks it', () => {
    expect(maskEmail('ada@example.com')).toBe('a***@e***.com');
    expect(maskEmail('grace.hopper@mail.navy.mil')).toBe('g***@m***.mil');
    expect(maskEmail('root@localhost')).toBe('r***@l***');
  });
});
