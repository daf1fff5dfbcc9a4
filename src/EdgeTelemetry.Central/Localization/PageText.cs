namespace EdgeTelemetry.Central.Localization;

/// <summary>The built-in page's texts (PageText.resx, PageText.es.resx), served at <c>/page-text</c>.</summary>
public sealed class PageText;
