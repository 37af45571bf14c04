/** Terminal size, following resizes (ink re-renders on SIGWINCH; this re-lays the screens out). */
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export function useSize(): { width: number; height: number } {
  const { stdout } = useStdout();
  const get = () => ({ width: stdout.columns || 80, height: stdout.rows || 24 });
  const [size, setSize] = useState(get);
  useEffect(() => {
    const on = () => setSize(get());
    stdout.on('resize', on);
    return () => void stdout.off('resize', on);
  }, [stdout]);
  return size;
}
