namespace EdgeTelemetry.Agent.LocalPage;

/// <summary>The agent page's own texts (PageText.resx, PageText.es.resx); the page fetches them from /api/text.</summary>
public sealed class PageText;
