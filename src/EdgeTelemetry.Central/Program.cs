using EdgeTelemetry.Central;
using EdgeTelemetry.Central.Transfer;

if (args.Length > 0 && args[0] == "import") return await BundleImport.RunAsync(args[1..], Console.Out, Console.Error);

var app = CentralApp.Build(args);
await app.RunAsync();
return 0;
