namespace EdgeTelemetry.Central.Reports.Signing;

/// <summary>How the central service signs the reports it serves (section "Reports").</summary>
public sealed class ReportSigningOptions
{
    public const string Section = "Reports";

    /// <summary>
    /// The ECDSA P-256 private key (PKCS#8 PEM), created with mode 0600 on first start when missing. Every instance
    /// pointed at the same file signs with the same key. Unset: a key that lives only as long as the process (warned
    /// at start) — fine for a demo, useless to an auditor later.
    /// </summary>
    public string? SigningKeyFile { get; set; }
}
