/** @module Web texts, Planning: drafts and editing, the calendar, several accounts, the queue grid, the preview (`../i18n-planning.ts`). */
import { PLANNING_EN, PLANNING_JA } from '../i18n-planning.ts';
import { defineTexts } from './define.ts';

export const planningTexts = defineTexts(PLANNING_EN, PLANNING_JA);
