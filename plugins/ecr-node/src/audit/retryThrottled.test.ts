import { retryThrottled } from './retryThrottled';

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

describe('retryThrottled', () => {
  it('asks again after throttling, and answers what AWS finally answers', async () => {
    const call = jest
      .fn()
      .mockRejectedValueOnce(throttled())
      .mockRejectedValueOnce(throttled())
      .mockResolvedValue('answer');
    await expect(retryThrottled(call, { baseDelayMs: 1 })).resolves.toBe(
      'answer',
    );
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('gives up after the configured attempts with the throttling error', async () => {
    const call = jest.fn().mockRejectedValue(throttled());
    await expect(
      retryThrottled(call, { attempts: 3, baseDelayMs: 1 }),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('rethrows anything but throttling at once', async () => {
    const denied = Object.assign(new Error('no'), {
      name: 'AccessDeniedException',
    });
    const call = jest.fn().mockRejectedValue(denied);
    await expect(retryThrottled(call, { baseDelayMs: 1 })).rejects.toBe(denied);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('treats HTTP 429 as throttling', async () => {
    const tooMany = Object.assign(new Error('slow down'), {
      $metadata: { httpStatusCode: 429 },
    });
    const call = jest
      .fn()
      .mockRejectedValueOnce(tooMany)
      .mockResolvedValue('ok');
    await expect(retryThrottled(call, { baseDelayMs: 1 })).resolves.toBe('ok');
  });

  it('waits longer after each throttled try', async () => {
    jest.useFakeTimers();
    // The random half of each wait is zero: 500 ms, then 1000 ms.
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const call = jest.fn().mockRejectedValue(throttled());
      const done = retryThrottled(call, {
        attempts: 3,
        baseDelayMs: 1000,
      }).catch(e => e);
      await jest.advanceTimersByTimeAsync(499);
      expect(call).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      expect(call).toHaveBeenCalledTimes(2);
      await jest.advanceTimersByTimeAsync(999);
      expect(call).toHaveBeenCalledTimes(2);
      await jest.advanceTimersByTimeAsync(1);
      expect(call).toHaveBeenCalledTimes(3);
      await expect(done).resolves.toMatchObject({
        name: 'ThrottlingException',
      });
    } finally {
      random.mockRestore();
      jest.useRealTimers();
    }
  });

  it('stops waiting when the run is cancelled', async () => {
    const controller = new AbortController();
    const call = jest.fn().mockRejectedValue(throttled());
    const done = retryThrottled(call, {
      baseDelayMs: 60_000,
      signal: controller.signal,
    });
    await new Promise(resolve => setTimeout(resolve, 10));
    controller.abort(new Error('cancelled'));
    await expect(done).rejects.toThrow('cancelled');
    expect(call).toHaveBeenCalledTimes(1);
  });
});
