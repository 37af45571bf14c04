/** The key footer: generated from keys.ts for the current screen. */
import { Text } from 'ink';
import { footerText, type Screen } from '../keys.js';

export function Footer({ screen, width, color }: { screen: Screen; width: number; color: boolean }) {
  return <Text wrap="truncate" {...(color ? { dimColor: true } : {})}>{footerText(screen, width)}</Text>;
}
