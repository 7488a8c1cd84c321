/**
 * @module Accessibility checks in the browser with axe-core (Deque's rules for WCAG 2 A/AA:
 * labels, names, contrast, landmarks, language…). The engine is evaluated through the DevTools
 * protocol, so the pages' CSP (no inline scripts) stays as it is.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The WCAG 2 A and AA violations on the page as it is now. */
export async function accessibilityViolations(page: Page): Promise<Violation[]> {
  const script = `${AXE_SOURCE}
    ;axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) })))`;
  return page.evaluate<Violation[]>(script);
}
