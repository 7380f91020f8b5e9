import { z } from 'zod';
import type { CredentialVault } from '../credentials/vault.js';
import { readJsonSetting, writeSetting } from '../../db/settings.js';
import type { Database } from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { Forwarding, SEVERITY_RANK, type Alarm, type AlarmSeverity } from '../../../../shared/domain/monitoring.js';

const SETTINGS_KEY = 'alarms.forwarding';
const WEBHOOK_ATTEMPTS = 4;
const WEBHOOK_TIMEOUT_MS = 5000;

export const DEFAULT_FORWARDING: Forwarding = { desktopCritical: true, webhook: null, syslog: null };

export interface ForwardingStats {
  webhookSent: number;
  webhookFailed: number;
  syslogSent: number;
  lastError: string | null;
}

/** RFC 5424 severity for an alarm (cleared alarms are "notice"). */
const SYSLOG_SEVERITY: Record<AlarmSeverity, number> = { critical: 2, major: 3, minor: 4, warning: 4 };
const LOCAL0 = 16;

/** One RFC 5424 line: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG. */
export function syslogLine(alarm: Alarm, event: 'raised' | 'cleared', host = hostname()): string {
  const pri = LOCAL0 * 8 + (event === 'cleared' ? 5 : SYSLOG_SEVERITY[alarm.severity]);
  const escape = (value: string) => value.replace(/["\\\]]/g, (char) => `\\${char}`);
  const data = `[edgecab@32473 alarm="${alarm.id}" site="${escape(alarm.siteName)}" device="${escape(alarm.deviceName ?? '-')}" condition="${escape(alarm.condition)}" severity="${alarm.severity}" count="${alarm.count}"]`;
  const safeHost = host.replace(/[^\x21-\x7e]/g, '').slice(0, 255) || '-';
  return `<${pri}>1 ${new Date().toISOString()} ${safeHost} edgecab ${process.pid} ALARM_${event.toUpperCase()} ${data} \uFEFF${alarm.message}`;
}

export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Sends new root alarms (and clearings) northbound: a JSON webhook signed
 * with HMAC-SHA256 over "<timestamp>.<body>" and retried with backoff, and
 * RFC 5424 syslog over UDP or TCP (octet-counted). Desktop notifications are
 * raised by the UI from the alarm events.
 */
/** The settings' webhook secret is a vault reference: "vault:<credential id>". */
const SEALED = 'vault:';
/** As stored: the secret field holds the reference (shorter than a secret's minimum), so it is checked loosely. */
const StoredForwarding = Forwarding.extend({ webhook: Forwarding.shape.webhook.unwrap().extend({ secret: z.string().min(1) }).nullable() });

export class AlarmForwarder {
  readonly stats: ForwardingStats = { webhookSent: 0, webhookFailed: 0, syslogSent: 0, lastError: null };
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly now: () => Date,
    private readonly vault: CredentialVault,
  ) {
    this.sealStoredSecret();
  }

  /** What the settings hold: the webhook secret only as a reference into the vault. */
  private stored(): Forwarding {
    return readJsonSetting(this.db, SETTINGS_KEY, StoredForwarding, DEFAULT_FORWARDING);
  }

  /** A secret written in clear by an earlier version goes into the vault, and only its reference stays in the settings. */
  private sealStoredSecret(): void {
    const stored = this.stored();
    if (!stored.webhook || stored.webhook.secret.startsWith(SEALED)) return;
    this.write({ ...stored, webhook: { ...stored.webhook, secret: this.seal(stored.webhook.secret, null) } });
  }

  private seal(secret: string, previous: string | null): string {
    const id = this.vault.store('webhook', { secret }, { replaceId: previous?.startsWith(SEALED) ? previous.slice(SEALED.length) : null, origin: 'user' });
    return `${SEALED}${id}`;
  }

  private write(config: Forwarding): void {
    writeSetting(this.db, SETTINGS_KEY, JSON.stringify(config), this.now());
  }

  /** The configuration with the webhook secret opened from the vault, for sending. */
  config(): Forwarding {
    const stored = this.stored();
    if (!stored.webhook?.secret.startsWith(SEALED)) return stored;
    return { ...stored, webhook: { ...stored.webhook, secret: this.vault.open<{ secret: string }>(stored.webhook.secret.slice(SEALED.length)).secret } };
  }

  /** The configuration with the webhook secret hidden, as the API shows it. */
  publicConfig(): Forwarding {
    const config = this.config();
    return config.webhook ? { ...config, webhook: { ...config.webhook, secret: '••••••••••••••••' } } : config;
  }

  setConfig(config: Forwarding): Forwarding {
    const current = this.stored();
    const previous = current.webhook?.secret ?? null;
    // The UI never sees the secret: an unchanged mask keeps the stored one.
    const keep = config.webhook && current.webhook && /^•+$/.test(config.webhook.secret);
    const webhook = config.webhook ? { ...config.webhook, secret: keep ? previous! : this.seal(config.webhook.secret, previous) } : null;
    if (!webhook && previous?.startsWith(SEALED)) this.vault.remove(previous.slice(SEALED.length));
    this.write({ ...config, webhook });
    return this.publicConfig();
  }

  forward(raised: readonly Alarm[], cleared: readonly Alarm[]): void {
    const config = this.config();
    const events = [...raised.map((alarm) => ({ event: 'raised' as const, alarm })), ...cleared.map((alarm) => ({ event: 'cleared' as const, alarm }))];
    for (const { event, alarm } of events) {
      if (config.webhook && SEVERITY_RANK[alarm.severity] >= SEVERITY_RANK[config.webhook.minSeverity]) this.track(this.sendWebhook(config.webhook, event, alarm));
      if (config.syslog && SEVERITY_RANK[alarm.severity] >= SEVERITY_RANK[config.syslog.minSeverity]) this.track(this.sendSyslog(config.syslog, syslogLine(alarm, event)));
    }
  }

  /** Resolves when every forward started so far has finished (or given up). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.stats.lastError = (error as Error).message;
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async sendWebhook(webhook: NonNullable<Forwarding['webhook']>, event: 'raised' | 'cleared', alarm: Alarm): Promise<void> {
    const body = JSON.stringify({ type: `alarm.${event}`, sentAt: this.now().toISOString(), alarm });
    let lastError = '';
    for (let attempt = 1; attempt <= WEBHOOK_ATTEMPTS; attempt += 1) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      try {
        const response = await fetch(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-edgecab-timestamp': timestamp, 'x-edgecab-signature': signBody(webhook.secret, timestamp, body), 'x-edgecab-delivery-attempt': String(attempt) },
          body,
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.stats.webhookSent += 1;
          return;
        }
        lastError = `webhook answered HTTP ${response.status}`;
        // 4xx other than 408/429 will not get better by retrying.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
      } catch (error) {
        lastError = `webhook not reachable: ${(error as Error).message}`;
      }
      if (attempt < WEBHOOK_ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
    this.stats.webhookFailed += 1;
    throw new Error(lastError);
  }

  private sendSyslog(syslog: NonNullable<Forwarding['syslog']>, line: string): Promise<void> {
    const message = Buffer.from(line, 'utf8');
    if (syslog.transport === 'udp') {
      return new Promise((resolve, reject) => {
        const socket = createSocket(syslog.host.includes(':') ? 'udp6' : 'udp4');
        socket.send(message, syslog.port, syslog.host, (error) => {
          socket.close();
          if (error) reject(new Error(`syslog: ${error.message}`));
          else {
            this.stats.syslogSent += 1;
            resolve();
          }
        });
      });
    }
    return new Promise((resolve, reject) => {
      const socket = connect({ host: syslog.host, port: syslog.port, timeout: 5000 });
      socket.once('error', (error) => reject(new Error(`syslog: ${error.message}`)));
      socket.once('timeout', () => {
        socket.destroy();
        reject(new Error('syslog: no connection within 5 s'));
      });
      socket.once('connect', () => {
        // RFC 6587 octet counting, so messages with newlines stay whole.
        socket.end(Buffer.concat([Buffer.from(`${message.length} `), message]), () => {
          this.stats.syslogSent += 1;
          resolve();
        });
      });
    });
  }
}
