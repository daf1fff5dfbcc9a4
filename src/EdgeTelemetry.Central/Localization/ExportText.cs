namespace EdgeTelemetry.Central.Localization;

/// <summary>The researcher export's notes (ExportText.resx, ExportText.es.resx), see <see cref="Export.ExportNotes"/>.</summary>
public sealed class ExportText;
