/** The key footer: generated from keys.ts for the current screen. */
import { Text } from 'ink';
import { footerText, type Screen } from '../keys.js';

export function Footer({ screen, width, color, message }: { screen: Screen; width: number; color: boolean; message?: string }) {
  return (
    <>
      {message ? <Text wrap="truncate" {...(color ? { color: 'yellow' } : {})}>{message}</Text> : null}
      <Text wrap="truncate" {...(color ? { dimColor: true } : {})}>{footerText(screen, width)}</Text>
    </>
  );
}
