/** The key footer: generated from keys.ts for the current screen (and conflict). */
import { Text } from 'ink';
import { footerText, type Screen } from '../keys.js';
import type { Conflict } from '../outcomes.js';

export function Footer({ screen, conflict, width, color }: { screen: Screen; conflict: Conflict | null; width: number; color: boolean }) {
  return <Text wrap="truncate" {...(color ? { dimColor: true } : {})}>{footerText(screen, width, conflict)}</Text>;
}
