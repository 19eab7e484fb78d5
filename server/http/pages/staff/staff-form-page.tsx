/** The frame of a staff settings page: its title, the notice of the last change, and the error summary. */
import type { ComponentChildren } from 'preact';
import { ErrorSummary, type FieldErrors } from '../form-parts.js';
import { Layout } from '../layout.js';
import type { PageCtx } from '../page-context.js';

export function StaffFormPage(p: { ctx: PageCtx; title: string; notice?: string; errors?: FieldErrors; children: ComponentChildren }) {
  return (
    <Layout ctx={p.ctx} title={p.title} staffArea>
      <h1>{p.title}</h1>
      {p.notice ? (
        <p class="success" role="status">
          {p.notice}
        </p>
      ) : null}
      <ErrorSummary ctx={p.ctx} errors={p.errors ?? {}} />
      {p.children}
    </Layout>
  );
}
