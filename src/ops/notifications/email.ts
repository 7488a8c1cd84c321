/**
 * @module E-mail deliveries over SMTP (`nodemailer`), to the operator addresses in
 * `ROTOR_NOTIFY_EMAIL`. Rotor knows its users by their X login only, so e-mail goes to the
 * people who run it; users see their notifications in the app.
 */
import nodemailer from 'nodemailer';
import type { DeliveryOutcome } from './webhook.ts';

export interface Mailer {
  send(message: { subject: string; text: string }): Promise<DeliveryOutcome>;
  close(): void;
}

/** A mailer for `smtpUrl` (`smtp://user:pass@host:587`, `smtps://…:465`), sending to `to`. */
export function createMailer(o: { smtpUrl: string; from: string; to: string[]; timeoutMs?: number }): Mailer {
  const timeout = o.timeoutMs ?? 15_000;
  // `url` with explicit timeouts: a mail server that hangs must not hold a delivery forever.
  const transport = nodemailer.createTransport({
    url: o.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(message) {
      try {
        await transport.sendMail({ from: o.from, to: o.to, subject: message.subject, text: message.text });
        return { ok: true, status: 250 };
      } catch (e) {
        const err = e as { responseCode?: number; code?: string };
        // A permanent SMTP refusal (5xx) will not be fixed by retrying; anything else may be.
        const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
        return {
          ok: false,
          error: `the mail server ${err.responseCode ? `answered ${err.responseCode}` : `could not be used (${err.code ?? 'error'})`}`,
          retry: !permanent,
        };
      }
    },
    close() {
      transport.close();
    },
  };
}
