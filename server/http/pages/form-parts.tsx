/** Accessible form pieces: labelled fields, described errors, an error summary that takes focus. */
import type { ComponentChildren } from 'preact';
import type { PageCtx } from './page-context.js';

/** Field name → translated error message. */
export type FieldErrors = Record<string, string>;

export function ErrorSummary({ ctx, errors, message }: { ctx: PageCtx; errors: FieldErrors; message?: string }) {
  const entries = Object.entries(errors);
  if (!entries.length && !message) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} data-focus>
      <h2>{ctx.t('form.error_summary')}</h2>
      {message ? <p>{message}</p> : null}
      {entries.length ? (
        <ul>
          {entries.map(([name, msg]) => (
            <li>
              <a href={`#f-${name}`}>{msg}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

type InputProps = {
  name: string;
  label: string;
  value?: string | number | null;
  errors?: FieldErrors;
  hint?: string;
  type?: 'text' | 'email' | 'tel' | 'number' | 'password' | 'date';
  required?: boolean;
  autocomplete?: string;
  inputmode?: 'text' | 'numeric' | 'tel' | 'email';
  min?: number;
  max?: number;
  maxlength?: number;
  lang?: string;
};

/** Label, hint and error around one control, wired with aria-describedby. */
function FieldFrame(p: InputProps & { control: (aria: Record<string, string | undefined>) => ComponentChildren }) {
  const error = p.errors?.[p.name];
  const described = [p.hint ? `h-${p.name}` : '', error ? `e-${p.name}` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={`f-${p.name}`}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`h-${p.name}`}>
          {p.hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`e-${p.name}`}>
          {error}
        </p>
      ) : null}
      {p.control({ 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described })}
    </div>
  );
}

export function TextField(p: InputProps) {
  return (
    <FieldFrame
      {...p}
      control={(aria) => (
        <input
          id={`f-${p.name}`}
          name={p.name}
          {...({ type: p.type ?? 'text' } as { type: 'text' })}
          value={p.value ?? ''}
          required={p.required}
          autocomplete={p.autocomplete}
          inputmode={p.inputmode}
          min={p.min}
          max={p.max}
          maxlength={p.maxlength}
          lang={p.lang}
          {...aria}
        />
      )}
    />
  );
}

export function TextArea(p: InputProps & { rows?: number }) {
  return (
    <FieldFrame
      {...p}
      control={(aria) => (
        <textarea id={`f-${p.name}`} name={p.name} rows={p.rows ?? 3} required={p.required} maxlength={p.maxlength} lang={p.lang} {...aria}>
          {p.value ?? ''}
        </textarea>
      )}
    />
  );
}

export function Choices(p: {
  name: string;
  legend: string;
  type: 'radio' | 'checkbox';
  options: Array<{ value: string; label: string; hint?: string; checked?: boolean }>;
  errors?: FieldErrors;
  hint?: string;
  required?: boolean;
  children?: ComponentChildren;
  /** Extra class, e.g. `grid` to lay short options out in columns. */
  variant?: string;
}) {
  const error = p.errors?.[p.name];
  return (
    <fieldset class={`field choices${p.variant ? ` ${p.variant}` : ''}${error ? ' invalid' : ''}`} id={`f-${p.name}`} tabindex={-1}>
      <legend>{p.legend}</legend>
      {p.hint ? <p class="hint">{p.hint}</p> : null}
      {error ? <p class="error">{error}</p> : null}
      {p.options.map((o, i) => (
        <div class="choice">
          <input
            type={p.type}
            id={`f-${p.name}-${i}`}
            name={p.name}
            value={o.value}
            checked={o.checked}
            required={p.type === 'radio' ? p.required : undefined}
            aria-describedby={o.hint ? `h-${p.name}-${i}` : undefined}
          />
          <label for={`f-${p.name}-${i}`}>{o.label}</label>
          {o.hint ? (
            <p class="hint" id={`h-${p.name}-${i}`}>
              {o.hint}
            </p>
          ) : null}
        </div>
      ))}
      {p.children}
    </fieldset>
  );
}

export function Select(p: {
  name: string;
  label: string;
  options: Array<{ value: string; label: string }>;
  value?: string;
  errors?: FieldErrors;
}) {
  const error = p.errors?.[p.name];
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={`f-${p.name}`}>{p.label}</label>
      {error ? (
        <p class="error" id={`e-${p.name}`}>
          {error}
        </p>
      ) : null}
      <select id={`f-${p.name}`} name={p.name} aria-describedby={error ? `e-${p.name}` : undefined}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === p.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A visually hidden text for screen readers. */
export function Sr({ children }: { children: ComponentChildren }) {
  return <span class="sr-only">{children}</span>;
}

/** The privacy notice (folded) and the box that accepts it, as every citizen form ends. */
export function PrivacyConsent(p: { ctx: PageCtx; errors?: FieldErrors; summary: string; text: string; accept: string; checked?: boolean }) {
  return (
    <>
      <details class="privacy">
        <summary>{p.summary}</summary>
        <p>{p.text}</p>
      </details>
      <Choices
        name="privacyAccepted"
        type="checkbox"
        legend={p.ctx.t('fields.privacy_legend')}
        errors={p.errors}
        options={[{ value: 'yes', label: p.accept, checked: p.checked }]}
      />
    </>
  );
}
