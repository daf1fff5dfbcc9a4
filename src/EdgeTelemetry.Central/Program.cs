using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Central.Transfer;
using EdgeTelemetry.Transfer;

if (args.Length > 0 && args[0] == "import")
{
    try
    {
        return await BundleImport.RunAsync(args[1..], Console.Out);
    }
    catch (Exception ex) when (ex is BundleFormatException or TransientWriteException or PointsRejectedException or IOException)
    {
        Console.Error.WriteLine($"edgetelemetry-central import: {ex.Message}");
        return 1;
    }
}

var app = CentralApp.Build(args);
await app.RunAsync();
return 0;
