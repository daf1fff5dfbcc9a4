namespace EdgeTelemetry.Central.Security;

/// <summary>
/// The four roles; each includes everything the ones before it may do:
/// operator (fleet status) ⊂ technician (+ reports, batch results) ⊂ researcher (+ export) ⊂ admin (+ batch edits).
/// </summary>
public static class Roles
{
    public const string Operator = "operator";
    public const string Technician = "technician";
    public const string Researcher = "researcher";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> Ordered = [Operator, Technician, Researcher, Admin];

    public static bool IsKnown(string? role) => role is not null && Ordered.Contains(role);

    /// <summary>The given role and every role above it.</summary>
    public static string[] AtLeast(string role) => Ordered.SkipWhile(r => r != role).ToArray();
}

/// <summary>Authorization policies, one per kind of access the API grants.</summary>
public static class ApiPolicies
{
    public const string FleetRead = "fleet:read";
    public const string ReportsRead = "reports:read";
    public const string Export = "export";
    public const string BatchesWrite = "batches:write";
    /// <summary>Enrol, rotate and revoke device keys.</summary>
    public const string DevicesAdmin = "devices:admin";
}
