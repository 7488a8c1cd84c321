/**
 * @module E-mail deliveries over SMTP (`nodemailer`), to the operator addresses in
 * `ROTOR_NOTIFY_EMAIL`. Rotor knows its users by their X login only, so e-mail goes to the
 * people who run it; users see their notifications in the app.
 */
import type { Transporter } from 'nodemailer';
import type { DeliveryOutcome } from './webhook.ts';

/**
 * An SMTP transport for `smtpUrl` with explicit timeouts (a mail server that hangs must not hold
 * a delivery forever). nodemailer is loaded on first use: most commands never send mail.
 */
export async function smtpTransport(smtpUrl: string, timeoutMs: number): Promise<Transporter> {
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
}

export interface Mailer {
  send(message: { subject: string; text: string }): Promise<DeliveryOutcome>;
  close(): void;
}

/** A mailer for `smtpUrl` (`smtp://user:pass@host:587`, `smtps://…:465`), sending to `to`. */
export function createMailer(o: { smtpUrl: string; from: string; to: string[]; timeoutMs?: number }): Mailer {
  let transport: Promise<Transporter> | undefined;
  return {
    async send(message) {
      try {
        transport ??= smtpTransport(o.smtpUrl, o.timeoutMs ?? 15_000);
        await (
          await transport
        ).sendMail({ from: o.from, to: o.to, subject: message.subject, text: message.text });
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
      void transport?.then((t) => t.close()).catch(() => undefined);
    },
  };
}
