using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Transfer;

if (args.Length > 0 && args[0] == "import") return await BundleImport.RunAsync(args[1..], Console.Out, Console.Error);

var app = CentralApp.Build(args);
await app.RunAsync();
// Non-zero when the ingest pipeline failed (IngestPipeline sets it), so systemd restarts the service.
return Environment.ExitCode;
