using BenchmarkDotNet.Running;
using EdgeTelemetry.Benchmarks;

// `wear` measures bytes written to disk per buffered sample; anything else runs BenchmarkDotNet.
if (args.Length > 0 && args[0] == "wear") return await BufferWear.RunAsync(args[1..]);
BenchmarkSwitcher.FromAssembly(typeof(HotPathBenchmarks).Assembly).Run(args);
return 0;
