import { type FormEvent, useState } from 'react';
import { setSession } from '../../api/client';
import { SignInDocument } from '../../api/generated';
import { useMutation } from '../../api/hooks';
import { ErrorMessage, Field, Notice } from '../../components/ui';

/** Password sign-in for staff admins and organization collaborators. */
export function SignInScreen({ ended }: { ended: 'expired' | 'signed-out' | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problems, setProblems] = useState<{ email?: string; password?: string }>({});
  const signIn = useMutation(SignInDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = {
      email: /^[^\s@]+@[^\s@]+$/.test(email.trim()) ? undefined : 'Enter the e-mail address you sign in with.',
      password: password ? undefined : 'Enter your password.',
    };
    setProblems(found);
    if (found.email || found.password) return;
    const data = await signIn.run({ email: email.trim(), password });
    if (data) setSession(data.login, 'signed-in');
  };

  return (
    <main id="main" className="sign-in">
      <h1>Offboarding console</h1>
      {ended === 'expired' ? (
        <p className="message error" role="alert">
          Your session has expired. Please sign in again.
        </p>
      ) : null}
      {ended === 'signed-out' ? <Notice>You have signed out.</Notice> : null}
      <form onSubmit={(event) => void submit(event)} noValidate aria-label="Sign in">
        <Field label="E-mail" error={problems.email}>
          {(props) => <input {...props} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Password" error={problems.password}>
          {(props) => <input {...props} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <ErrorMessage error={signIn.error && signIn.error.startsWith('Your session') ? 'The e-mail or password is not right, or the account cannot sign in.' : signIn.error} />
        <button type="submit" className="primary" disabled={signIn.busy}>
          {signIn.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
