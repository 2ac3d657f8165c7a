import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { words } from '../format';

// Small building blocks shared by every screen: messages, fields, confirmation, tables.

export function ErrorMessage({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="message error" role="alert">
      {error}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="message success" role="status">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

export function StatusBadge({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  return <span className={`badge badge-${value.toLowerCase()}`}>{value.replace(/_/g, ' ')}</span>;
}

interface FieldProps {
  label: string;
  error?: string | null;
  hint?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}

/** A labelled form control with its hint and validation message tied to it for screen readers. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': describedBy })}
      {hint ? (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      ) : null}
    </div>
  );
}

interface ConfirmProps {
  /** The button that opens the dialog. */
  label: string;
  title: string;
  /** What will happen, said before anything happens. */
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<boolean | void> | void;
  danger?: boolean;
  disabled?: boolean;
  busy?: boolean;
  error?: string | null;
  /** Extra validation before confirming (e.g. a reason typed in the dialog). */
  canConfirm?: boolean;
}

/**
 * A button that asks first: a modal dialog (the browser's own, which keeps focus inside and
 * closes on Escape) says what will happen; the action runs only on the explicit confirmation.
 */
export function ConfirmButton({ label, title, children, confirmLabel, onConfirm, danger, disabled, busy, error, canConfirm = true }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (open) dialog.current?.showModal();
    else dialog.current?.close();
  }, [open]);
  const confirm = async () => {
    const result = await onConfirm();
    if (result !== false) setOpen(false);
  };
  return (
    <>
      <button type="button" className={danger ? 'danger' : undefined} disabled={disabled} onClick={() => setOpen(true)}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setOpen(false)}>
        {open ? (
          <form
            method="dialog"
            onSubmit={(event) => {
              event.preventDefault();
              void confirm();
            }}
          >
            <h2 id={titleId}>{title}</h2>
            <div className="dialog-body">{children}</div>
            <ErrorMessage error={error} />
            <div className="actions">
              <button type="button" onClick={() => setOpen(false)}>
                Go back
              </button>
              <button type="submit" className={danger ? 'danger' : 'primary'} disabled={busy || !canConfirm}>
                {busy ? 'Working…' : confirmLabel}
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="panel">
      <div className="panel-head">
        <h2 id={id}>{title}</h2>
        {actions ? <div className="actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A definition list of label → value pairs. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A labelled drop-down of values shown in words, with an optional empty choice first. */
export function Choice<T extends string>({
  label,
  value,
  options,
  onChange,
  empty,
  error,
  hint,
  describe = words,
}: {
  label: string;
  value: T | '';
  options: readonly T[];
  onChange: (value: T | '') => void;
  empty?: string;
  error?: string | null;
  hint?: string;
  describe?: (value: T) => string;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <select {...props} value={value} onChange={(event) => onChange(event.target.value as T | '')}>
          {empty !== undefined ? <option value="">{empty}</option> : null}
          {options.map((option) => (
            <option key={option} value={option}>
              {describe(option)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Rows per service and collection: what a purge would delete, or what it deleted. */
export function CollectionCounts({ caption, rows }: { caption: string; rows: readonly { service: string; collection: string; rows: number }[] }) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Collection</th>
          <th scope="col">Rows</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.service}.${row.collection}`}>
            <td>{row.service}</td>
            <td>{row.collection}</td>
            <td>{row.rows}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Cursor paging: the cursors of the pages before this one, so "Previous" goes back exactly. */
export function usePager() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1],
    page: cursors.length,
    reset: () => setCursors([null]),
    previous: () => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)),
    next: (endCursor: string | null) => setCursors((list) => [...list, endCursor]),
  };
}

export function Pager({ pager, pageInfo, label }: { pager: ReturnType<typeof usePager>; pageInfo: { hasNextPage: boolean; endCursor: string | null } | undefined; label: string }) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" disabled={pager.page === 1} onClick={pager.previous}>
        Previous page
      </button>
      <button type="button" disabled={!pageInfo?.hasNextPage} onClick={() => pager.next(pageInfo?.endCursor ?? null)}>
        Next page
      </button>
    </nav>
  );
}
