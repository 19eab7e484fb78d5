/**
 * The public verification page (`/{slug}/verify`): one field for the secure
 * verification code; with a valid code (typed, or `?csv=` from the receipt's
 * QR code) the register entry it belongs to, the link to download the sealed
 * receipt and the seal certificate. Works without JavaScript (a GET form).
 */
import { Fragment } from 'preact';
import { ErrorSummary, TextField, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import { tenantPath, type PageCtx } from '../page-context.js';

export type VerifyResult = {
  registerCode: string;
  registeredAt: string;
  procedure: string;
  /** Null while the receipt is being sealed. */
  sealedAt: string | null;
  receiptHref: string | null;
};

export type SealDetails = { subject: string; issuer: string; from: string; to: string; fingerprint: string; demo: boolean };

/** A long value that may break after each `at` on a narrow screen (the text copied stays the same). */
function Breakable({ text, at }: { text: string; at: string }) {
  const parts = text.split(at);
  return (
    <Fragment>
      {parts.map((p, i) => (
        <Fragment>
          {p}
          {i < parts.length - 1 ? (
            <Fragment>
              {at}
              <wbr />
            </Fragment>
          ) : null}
        </Fragment>
      ))}
    </Fragment>
  );
}

export function VerifyPage(props: { ctx: PageCtx; value: string; errors?: FieldErrors; result?: VerifyResult; seal?: SealDetails }) {
  const { ctx, result, seal } = props;
  const { t, tenant } = ctx;
  const errors = props.errors ?? {};
  return (
    <Layout ctx={ctx} title={t('verify.title')}>
      {result ? (
        <Fragment>
          <div class="success" role="status">
            <h1 tabindex={-1} data-focus>
              {t('verify.valid_title')}
            </h1>
            <p>{t('verify.valid_text', { town: tenant.name })}</p>
          </div>
          <dl class="summary">
            <dt>{t('verify.register_code')}</dt>
            <dd>
              <Breakable text={result.registerCode} at="/" />
            </dd>
            <dt>{t('verify.registered_at')}</dt>
            <dd>{result.registeredAt}</dd>
            <dt>{t('verify.procedure')}</dt>
            <dd>{result.procedure}</dd>
            {result.sealedAt ? (
              <Fragment>
                <dt>{t('verify.sealed_at')}</dt>
                <dd>{result.sealedAt}</dd>
              </Fragment>
            ) : null}
          </dl>
          {result.receiptHref ? (
            <p class="actions">
              <a class="button" href={result.receiptHref} download>
                {t('verify.download')}
              </a>
            </p>
          ) : (
            <p class="notice">{t('verify.not_sealed')}</p>
          )}
          {seal ? (
            <section aria-labelledby="seal-title">
              <h2 id="seal-title">{t('verify.seal_title')}</h2>
              {seal.demo ? <p class="notice">{t('verify.seal_demo')}</p> : null}
              <dl class="summary">
                <dt>{t('verify.seal_subject')}</dt>
                <dd>{seal.subject}</dd>
                <dt>{t('verify.seal_issuer')}</dt>
                <dd>{seal.issuer}</dd>
                <dt>{t('verify.seal_validity')}</dt>
                <dd>{t('verify.seal_period', { from: seal.from, to: seal.to })}</dd>
                <dt>{t('verify.seal_fingerprint')}</dt>
                <dd>
                  <code>
                    <Breakable text={seal.fingerprint} at=":" />
                  </code>
                </dd>
              </dl>
              <p>{t('verify.seal_help')}</p>
            </section>
          ) : null}
          <h2>{t('verify.another')}</h2>
        </Fragment>
      ) : (
        <Fragment>
          <h1>{t('verify.title')}</h1>
          <p class="lead">{t('verify.intro', { town: tenant.name })}</p>
        </Fragment>
      )}
      <ErrorSummary ctx={ctx} errors={errors} />
      <form method="get" action={tenantPath(ctx, 'verify')} novalidate>
        <input type="hidden" name="lang" value={ctx.lang} />
        <TextField
          name="csv"
          label={t('verify.field')}
          hint={t('verify.hint')}
          value={result ? '' : props.value}
          errors={errors}
          required
          autocomplete="off"
          maxlength={100}
        />
        <p class="actions">
          <button type="submit">{t('verify.submit')}</button>
        </p>
      </form>
    </Layout>
  );
}
