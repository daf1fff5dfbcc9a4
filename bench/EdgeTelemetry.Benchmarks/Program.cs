using BenchmarkDotNet.Running;
using EdgeTelemetry.Benchmarks;

// Modes (docs/benchmarks.md): `wear` SD-card bytes and fsyncs per buffered sample; `ingest` points/s
// into a real influxd; `queue` how long an InfluxDB outage the broker queue covers; `e2e` the central
// service end to end (mosquitto → central → influxd) against influxd's own ceiling; `agent` the agent's
// memory, CPU, start time and size on a perf station; `wire` payload bytes per reading, v1 JSON
// against v2 protobuf, on the example stations; `wear-records` the disk cost of a record-per-commit buffer;
// `signing` device signature cost per batch; anything else
// goes to BenchmarkDotNet (e.g. `--filter '*'`).
return args.FirstOrDefault() switch
{
    "wear" => await BufferWear.RunAsync(args[1..]),
    "wear-one" => await BufferWear.RunOneAsync(args[1..]),
    "ingest" => await Ingest.RunAsync(args[1..]),
    "queue" => QueueCoverage.Run(args[1..]),
    "e2e" => await EndToEnd.RunAsync(args[1..]),
    "agent" => await AgentFootprint.RunAsync(args[1..]),
    "wire" => await WireSize.RunAsync(args[1..]),
    "wear-records" => await RecordWear.RunAsync(args[1..]),
    "signing" => BatchSigning.Run(args[1..]),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(HotPathBenchmarks).Assembly).Run(args);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
