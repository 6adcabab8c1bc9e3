import { replayProgress } from './progress';
import { CaptureStream as Capture } from './testing/capture-stream';

const drive = (stream: Capture, quiet = false): void => {
  let now = 0;
  const progress = replayProgress({ label: 'replaying', total: 1000, quiet, stream, now: () => now });
  for (let i = 1; i <= 1000; i++) {
    now += 1; // one event per millisecond: 1,000 events per second
    progress.tick(i);
  }
  progress.stop();
};

describe('replayProgress', () => {
  it('draws a bar with events per second on a terminal', () => {
    const tty = new Capture(true);
    drive(tty);
    expect(tty.text).toContain('replaying');
    expect(tty.text).toContain('100% | 1,000 events | 1,000 events/s');
  });

  it('writes nothing when the stream is not a terminal, or with --quiet', () => {
    const piped = new Capture(false);
    drive(piped);
    expect(piped.text).toBe('');
    const quiet = new Capture(true);
    drive(quiet, true);
    expect(quiet.text).toBe('');
  });
});
