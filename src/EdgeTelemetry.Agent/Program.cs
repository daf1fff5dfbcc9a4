using EdgeTelemetry.Agent;

return await AgentApp.RunAsync(args);
