using EdgeTelemetry.Demo;

return await DemoRun.RunAsync(args);
