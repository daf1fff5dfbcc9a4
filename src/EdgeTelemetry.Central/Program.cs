using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Reports.Signing;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.Central.Transfer;

if (args.Length > 0)
{
    switch (args[0])
    {
        case "import": return await BundleImport.RunAsync(args[1..], Console.Out, Console.Error);
        case "devices": return await DeviceCommands.RunAsync(args[1..], Console.Out, Console.Error);
        case "retention": return await RetentionCommands.RunAsync(args[1..], Console.Out, Console.Error);
        case "verify-report": return await VerifyReportCommand.RunAsync(args[1..], Console.Out, Console.Error);
    }
}

var app = CentralApp.Build(args);
await app.RunAsync();
// Non-zero when the ingest pipeline failed (IngestPipeline sets it), so systemd restarts the service.
return Environment.ExitCode;
