/** @module What the page middleware puts on each request: the session (if any) and the view context. */
import type { SessionUser } from '../../store/web-sessions.ts';
import type { ViewContext } from '../views/layout.ts';

export type PageEnv = {
  Variables: {
    session: SessionUser | undefined;
    view: ViewContext;
    /** `ROTOR_PUBLIC_URL`'s origin, when set (the CSRF Origin check compares with it). */
    publicOrigin: string | undefined;
  };
};
