import type { CustomerStats, FraudAlert, HourlySales } from '../model/analytics.js';
import { RingBuffer } from './ring-buffer.js';

/** Hourly windows kept for the chart: two days of the default one-hour windows. */
export const HOURLY_WINDOWS_KEPT = 48;
/** Fraud alerts kept for the list, the newest ones. */
export const ALERTS_KEPT = 100;
/** Customers shown for the last closed window. */
export const TOP_CUSTOMERS = 10;

/** The customers who spent most in one window (the newest window with customer_stats). */
export interface TopCustomers {
  readonly window_start: string;
  readonly window_end: string;
  /** Most spent first; ties by customer id. */
  readonly customers: ReadonlyArray<Pick<CustomerStats, 'customer_id' | 'orders' | 'total_spent'>>;
}

/**
 * What the console shows of the analytics themselves, bounded: the newest {@link HOURLY_WINDOWS_KEPT}
 * hourly_sales windows (by event time, not by arrival), the top {@link TOP_CUSTOMERS} customers of the
 * newest window whose customer_stats came, and the newest {@link ALERTS_KEPT} fraud alerts.
 *
 * At least once, a restart may publish a result again: an hourly window or a customer replaces its
 * earlier copy, and an alert already held is not held twice.
 */
export class AnalyticsHistory {
  // Hourly windows by window_start, at most HOURLY_WINDOWS_KEPT.
  private readonly hours = new Map<string, HourlySales>();
  // The newest window's best customers, or undefined before the first customer_stats.
  private top: { window_start: string; window_end: string; customers: Array<TopCustomers['customers'][number]> } | undefined;
  private readonly alertRing = new RingBuffer<FraudAlert>(ALERTS_KEPT);

  /** Takes an hourly window; false when it is older than every window kept (nothing changed). */
  onHourlySales(sales: HourlySales): boolean {
    this.hours.set(sales.window_start, sales);
    if (this.hours.size <= HOURLY_WINDOWS_KEPT) return true;
    const oldest = [...this.hours.keys()].sort()[0] as string;
    this.hours.delete(oldest);
    return oldest !== sales.window_start;
  }

  /** Takes a customer's window; true when the top list changed. */
  onCustomerStats(stats: CustomerStats): boolean {
    if (this.top !== undefined && stats.window_start < this.top.window_start) return false;
    if (this.top === undefined || stats.window_start > this.top.window_start) {
      this.top = { window_start: stats.window_start, window_end: stats.window_end, customers: [] };
    }
    // One customer_stats for nearly every order: most spent less than the last of a full list, and change
    // nothing (a window's customer_stats is final; a repeat is the same), so they cost one comparison.
    const last = this.top.customers[TOP_CUSTOMERS - 1];
    if (last !== undefined && stats.total_spent < last.total_spent) return false;
    const customers = this.top.customers.filter((c) => c.customer_id !== stats.customer_id);
    const entry = { customer_id: stats.customer_id, orders: stats.orders, total_spent: stats.total_spent };
    customers.push(entry);
    customers.sort((a, b) => b.total_spent - a.total_spent || (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0));
    customers.length = Math.min(customers.length, TOP_CUSTOMERS);
    const changed = customers.includes(entry) || customers.length !== this.top.customers.length;
    this.top.customers = customers;
    return changed;
  }

  /** Takes an alert; false when the same alert is already held (a repeat after a restart). */
  onAlert(alert: FraudAlert): boolean {
    const key = alertKey(alert);
    if (this.alertRing.some((a) => alertKey(a) === key)) return false;
    this.alertRing.push(alert);
    return true;
  }

  /** The hourly windows held, oldest first. */
  hourlySales(): HourlySales[] {
    return [...this.hours.values()].sort((a, b) => (a.window_start < b.window_start ? -1 : 1));
  }

  topCustomers(): TopCustomers | null {
    return this.top === undefined ? null : { ...this.top, customers: [...this.top.customers] };
  }

  /** The alerts held, newest first. */
  alerts(): FraudAlert[] {
    return this.alertRing.toArray().reverse();
  }
}

const alertKey = (a: FraudAlert): string => `${a.rule}|${a.order_id}|${a.customer_id}|${a.timestamp}`;
