/**
 * @module The emulator as one Hono app: X's OAuth and API endpoints, the control endpoints
 * under `/_emulator`, and a timeline page at `/`.
 */
import { Hono, type Context } from 'hono';
import { except } from 'hono/combine';
import { bodyLimit } from 'hono/body-limit';
import { apiRoutes } from './http/api-routes.ts';
import { controlRoutes } from './http/control-routes.ts';
import type { EmulatorDeps, EmulatorEnv } from './http/env.ts';
import { oauthRoutes } from './http/oauth-routes.ts';
import { statusPage, timelinePage } from './http/pages.ts';
import { emulatorLang } from './http/page-texts.ts';

const MAX_BODY = 1024 * 1024;
/** A 15 MB GIF base64-encoded in JSON (X's simple upload takes that too), with room to spare. */
const MAX_MEDIA_BODY = 24 * 1024 * 1024;

export function createEmulatorApp(deps: EmulatorDeps): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>();
  const tooLarge = (c: Context<EmulatorEnv>) =>
    c.json({ title: 'Payload Too Large', type: 'about:blank', status: 413 }, 413);
  // Media uploads may be large; everything else is small.
  // Chunks (`/2/media/upload/{id}/append`) are limited to X's 5 MB by the route itself.
  app.use('/2/media/upload', bodyLimit({ maxSize: MAX_MEDIA_BODY, onError: tooLarge }));
  app.use('/2/media/upload/*', bodyLimit({ maxSize: MAX_MEDIA_BODY, onError: tooLarge }));
  app.use(
    '*',
    except(['/2/media/upload', '/2/media/upload/*'], bodyLimit({ maxSize: MAX_BODY, onError: tooLarge })),
  );
  app.get('/', (c) => c.html(timelinePage([...deps.world.users.values()], deps.world.posts)));
  app.route('/', oauthRoutes(deps));
  app.route('/', apiRoutes(deps));
  app.route('/_emulator', controlRoutes(deps));
  app.get('/:username/status/:id', (c) => {
    const user = deps.world.userByName(c.req.param('username'));
    const post = deps.world.posts.find((p) => p.id === c.req.param('id'));
    const status = user && post && !post.deleted && post.userId === user.id ? 200 : 404;
    return c.html(statusPage(user, post, emulatorLang(c.req.header('accept-language'))), status);
  });
  app.notFound((c) => c.json({ errors: [{ message: 'Sorry, that page does not exist', code: 34 }] }, 404));
  app.onError((err, c) => {
    // The emulator must never crash on a request; report without echoing input.
    console.error(`emulator: ${c.req.method} ${new URL(c.req.url).pathname} failed: ${err.name}`);
    return c.json({ title: 'Internal Server Error', type: 'about:blank', status: 500 }, 500);
  });
  return app;
}
