using EdgeTelemetry.Central;

var app = CentralApp.Build(args);
await app.RunAsync();
