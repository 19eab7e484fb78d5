/**
 * The agent console page: one screen where signed-in staff set their presence,
 * watch the live queue, take a citizen and attend them (video room, phone
 * call-back) until they close the attention. The page is a frame; the browser
 * script (assets/console.js) fills it from the console API and the staff socket.
 */
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { h } from 'preact';
import { ACCESSIBILITY_NEEDS, CHANNELS, LANGUAGES, pickText, type Language } from '../../../shared/domain.js';
import { ERROR_CODES } from '../../../shared/errors.js';
import { loadCatalogue } from '../../i18n/i18n.js';
import { listAgenda } from '../../modules/agenda/list-agenda.js';
import { liveSettings } from '../../modules/attention/live-settings.js';
import { listPresence } from '../../modules/attention/set-presence.js';
import { listTypologies } from '../../modules/attention/typologies.js';
import type { AppContext } from '../context.js';
import { pageCtx, redirectUnauthenticatedToLogin, sendHtml } from '../page-helpers.js';
import { renderPage } from '../pages/layout.js';
import { tenantPath } from '../pages/page-context.js';
import { ConsolePage, type ConsoleConfig } from '../pages/staff/console.page.js';
import { resolveStaff, resolveTenant } from '../request-tenant.js';
import { requireStaff } from '../staff-auth.js';

/** The console's own strings per language, read once from the catalogue (the browser interpolates and picks plurals). */
const consoleStrings = new Map<Language, Record<string, unknown>>();
function stringsOf(lang: Language): Record<string, unknown> {
  let s = consoleStrings.get(lang);
  if (!s) consoleStrings.set(lang, (s = loadCatalogue(lang).console as Record<string, unknown>));
  return s;
}

const LANGUAGE_NAMES: Record<Language, string> = { ca: 'Català', es: 'Español', en: 'English' };

export async function consolePages(app: FastifyInstance, ctx: AppContext) {
  const deps = { database: ctx.database };
  app.register(async (r) => {
    r.addHook('onRequest', async (req, reply) => {
      await resolveTenant(ctx, req, reply);
      await resolveStaff(ctx, req);
    });
    redirectUnauthenticatedToLogin(r);

    r.get('/:slug/staff/console', async (req, reply) => {
      const actor = await requireStaff(ctx, req);
      const tenant = req.tenant!;
      const page = pageCtx(req);
      const { t, lang } = page;
      const start = DateTime.now().setZone(tenant.timeZone).startOf('day');
      const [agenda, presence, typologies] = await Promise.all([
        listAgenda({ db: ctx.database.db, tenantId: tenant.id, actor, filter: { from: start.toJSDate(), to: start.plus({ days: 1 }).toJSDate() } }),
        listPresence(deps, tenant.id),
        listTypologies(ctx.database.db, tenant.id, { activeOnly: true }),
      ]);
      const api = tenantPath(page, 'staff', 'console', 'api');
      const config: ConsoleConfig = {
        lang,
        timeZone: tenant.timeZone,
        api,
        staffSocket: `${tenantPath(page, 'staff', 'live')}?console=1`,
        roomSocket: `${tenantPath(page, 'staff', 'attentions')}/{id}/live`,
        csrf: req.csrfToken ?? '',
        meId: actor.id,
        maxCallAttempts: liveSettings(tenant).maxCallAttempts,
        languageNames: Object.fromEntries(LANGUAGES.map((l) => [l, LANGUAGE_NAMES[l]])),
        strings: {
          console: stringsOf(lang),
          channel: Object.fromEntries(CHANNELS.map((c) => [c, t(`channel.${c}.name`)])),
          accessibility: Object.fromEntries(ACCESSIBILITY_NEEDS.map((n) => [n, t(`accessibility.${n}`)])),
          errors: Object.fromEntries(ERROR_CODES.map((c) => [c, t(`errors.${c}`)])),
        },
      };
      return sendHtml(
        reply,
        renderPage(
          h(ConsolePage, {
            ctx: page,
            config,
            myState: presence.find((p) => p.staffId === actor.id)?.state ?? 'offline',
            agendaCount: agenda.length,
            typologies: typologies.map((ty) => ({ id: ty.id, name: pickText(ty.name, lang) })),
          }),
        ),
      );
    });
  });
}
