using System.Net;

namespace EdgeTelemetry.Agent.LocalPage;

/// <summary>
/// <c>localPage:</c> the page the agent serves on the site network. Off by default; when on it binds
/// one address (loopback unless the config names the Pi's LAN/Wi-Fi address, or 0.0.0.0 on purpose).
/// </summary>
public sealed class LocalPageOptions
{
    public bool Enabled { get; set; }
    /// <summary>The address to listen on, e.g. 192.168.4.1 (the Pi's hotspot); 0.0.0.0 means every interface.</summary>
    public string Address { get; set; } = "127.0.0.1";
    /// <summary>0: a free port (tests).</summary>
    public int Port { get; set; } = 8090;
    /// <summary>When set, acknowledging from the page asks for this PIN (digits).</summary>
    public string? AcknowledgePin { get; set; }
    /// <summary>The site's language when the browser asks for neither es nor en: "es" or "en".</summary>
    public string Language { get; set; } = "en";

    internal static void Validate(LocalPageOptions o, Action<string, string> add)
    {
        if (!IPAddress.TryParse(o.Address, out _)) add("localPage:address", $"'{o.Address}' is not an IP address (e.g. 127.0.0.1 or the Pi's LAN address)");
        if (o.Port is < 0 or > 65535) add("localPage:port", $"{o.Port} is not a TCP port");
        if (o.AcknowledgePin is { } pin && (pin.Length is < 4 or > 8 || !pin.All(char.IsAsciiDigit))) add("localPage:acknowledgePin", "must be 4-8 digits");
        if (o.Language is not ("es" or "en")) add("localPage:language", $"'{o.Language}' must be es or en");
    }
}
