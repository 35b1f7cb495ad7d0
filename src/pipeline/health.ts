/**
 * What the workers know about the daemon's health beyond "running": credentials a vendor rejected
 * pause all work for that vendor, which /readyz must report instead of a cheerful 200.
 */
export type VendorName = 'hubspot' | 'salesforce';

export class SyncHealth {
  private readonly rejected = new Map<VendorName, { at: string; message: string }>();

  credentialsRejected(system: VendorName, message: string, at = new Date()): void {
    this.rejected.set(system, { at: at.toISOString(), message });
  }

  /** A call to the vendor went through again. */
  credentialsAccepted(system: VendorName): void {
    this.rejected.delete(system);
  }

  /** Vendors whose credentials were rejected and not accepted since, with when and why. */
  problems(): Array<{ system: VendorName; at: string; message: string }> {
    return [...this.rejected].map(([system, problem]) => ({ system, ...problem }));
  }
}
