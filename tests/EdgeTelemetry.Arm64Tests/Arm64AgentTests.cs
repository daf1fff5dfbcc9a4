using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.LocalServers;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeTelemetry.Arm64Tests;

/// <summary>
/// The linux-arm64 agent, published ahead of time as for a Raspberry Pi, runs under
/// qemu-aarch64-static on a Debian bookworm arm64 root filesystem, publishes a centrifuge's telemetry
/// to a real Mosquitto and stops cleanly on SIGTERM (as systemd stops it).
/// </summary>
public class Arm64AgentTests(ITestOutputHelper output)
{
    /// <summary>Publish and a first debootstrap (not cached yet) may take minutes on 2 cores.</summary>
    private static readonly TimeSpan PrepareDeadline = TimeSpan.FromMinutes(12);
    /// <summary>From "starting agent" to a centrifuge batch at the subscriber (about 10 s measured).</summary>
    private static readonly TimeSpan FirstBatchDeadline = TimeSpan.FromMinutes(3);
    /// <summary>The unit's TimeoutStopSec; the agent drains for up to 5 s.</summary>
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(30);

    [RequiresToolsFact("qemu-aarch64-static", "debootstrap")]
    public async Task Published_arm64_agent_runs_under_qemu_publishes_centrifuge_telemetry_and_stops_cleanly()
    {
        await using var broker = await MosquittoServer.StartAsync();
        var clock = Stopwatch.StartNew();
        var batches = new List<(TimeSpan At, string Json)>();
        var centrifugeBatch = new TaskCompletionSource<(TimeSpan At, JsonElement Batch)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var json = Encoding.UTF8.GetString(e.ApplicationMessage.Payload);
            lock (batches) batches.Add((clock.Elapsed, json));
            var batch = JsonDocument.Parse(json).RootElement.Clone();
            if (batch.GetProperty("samples").EnumerateArray().Any(s => s.GetProperty("m").GetString() == "centrifuge"))
                centrifugeBatch.TrySetResult((clock.Elapsed, batch));
            return Task.CompletedTask;
        };
        // The persistent session exists before the agent starts: the agent treats a PUBACK "no matching
        // subscribers" as not delivered and keeps the rows buffered.
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId("arm64-test")
            .WithCleanStart(false).WithSessionExpiryInterval(600).Build());
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("edgetelemetry/v1/+/+/telemetry", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var work = Directory.CreateTempSubdirectory("et-arm64-").FullName; // published agent, config, buffer
        var log = new List<(TimeSpan At, string Line)>();
        var agentStarting = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var psi = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root,
        };
        foreach (var a in new[] { "scripts/arm64-smoke.sh", "--broker-port", broker.Port.ToString(), "--seconds", "600", "--work", work })
            psi.ArgumentList.Add(a);
        using var smoke = Process.Start(psi)!;
        DataReceivedEventHandler collect = (_, e) =>
        {
            if (e.Data is null) return;
            lock (log) log.Add((clock.Elapsed, e.Data));
            if (e.Data.StartsWith("arm64: starting agent", StringComparison.Ordinal)) agentStarting.TrySetResult(clock.Elapsed);
        };
        smoke.OutputDataReceived += collect;
        smoke.ErrorDataReceived += collect;
        smoke.BeginOutputReadLine();
        smoke.BeginErrorReadLine();
        var exited = smoke.WaitForExitAsync();
        try
        {
            var first = await Task.WhenAny(agentStarting.Task, exited, Task.Delay(PrepareDeadline));
            Assert.True(first == agentStarting.Task, $"the script did not get to starting the agent; its output:\n{Dump(log)}");
            var startedAt = await agentStarting.Task;

            var winner = await Task.WhenAny(centrifugeBatch.Task, exited, Task.Delay(FirstBatchDeadline));
            Assert.True(winner == centrifugeBatch.Task,
                $"no centrifuge telemetry from the arm64 agent within {FirstBatchDeadline}; {batches.Count} other batches; its output:\n{Dump(log)}");
            var (batchAt, batch) = await centrifugeBatch.Task;

            Assert.Equal(("md-arm64", "pi-01"), (batch.GetProperty("site").GetString(), batch.GetProperty("device").GetString()));
            var sample = batch.GetProperty("samples").EnumerateArray().First(s => s.GetProperty("m").GetString() == "centrifuge");
            Assert.Equal("knelson-md30-1", sample.GetProperty("eq").GetString());
            var readings = sample.GetProperty("r").EnumerateArray().Select(r => r.GetProperty("n").GetString()).ToList();
            Assert.True(readings.Contains("bowl_speed") || readings.Contains("fluidisation_pressure"), $"centrifuge readings: {string.Join(", ", readings)}");

            var binary = Path.Combine(work, "agent", "EdgeTelemetry.Agent");
            var fileType = FileType(binary);
            if (fileType is null)
                output.WriteLine("file(1) not installed: checked the ELF header instead");
            else
                Assert.Contains("ARM aarch64", fileType);
            Assert.True(IsAarch64Elf(binary), "the published agent must be an ARM aarch64 ELF executable");
            // Ahead of time: one native executable, no runtime or IL beside it (scripts/publish-agent.sh).
            var agentDir = Path.GetDirectoryName(binary)!;
            Assert.False(File.Exists(Path.Combine(agentDir, "libcoreclr.so")), "the published agent must be compiled ahead of time (libcoreclr.so found)");
            Assert.False(File.Exists(Path.Combine(agentDir, "EdgeTelemetry.Agent.dll")), "the published agent must be compiled ahead of time (EdgeTelemetry.Agent.dll found)");
            await ValidateConfigUnderQemuAsync(binary, work);

            // systemd stops the service with SIGTERM; under qemu too the agent must drain and exit 0.
            var stopClock = Stopwatch.StartNew();
            Assert.Equal(0, kill(smoke.Id, 15));
            var stopped = await Task.WhenAny(exited, Task.Delay(StopDeadline));
            Assert.True(stopped == exited, $"the agent did not stop within {StopDeadline} of SIGTERM; output:\n{Dump(log)}");
            var stopSeconds = stopClock.Elapsed.TotalSeconds;
            Assert.True(smoke.ExitCode == 0, $"exit {smoke.ExitCode}; output:\n{Dump(log)}");
            var lines = Snapshot(log);
            Assert.Contains(lines, l => l.Line == "arm64: agent stopped cleanly");

            // The report: the script's own status lines, the agent's first log line under qemu, timings.
            foreach (var (_, line) in lines.Where(l => l.Line.StartsWith("arm64:", StringComparison.Ordinal)))
                output.WriteLine(line);
            var agentLines = lines.SkipWhile(l => !l.Line.StartsWith("arm64: starting agent", StringComparison.Ordinal)).Skip(1).ToList();
            output.WriteLine($"arm64 run, agent's first log line: {LogEntry(agentLines, 0)}");
            var connected = agentLines.FindIndex(l => l.Line.Contains("Connected to broker"));
            if (connected > 0) output.WriteLine($"arm64 run, {(agentLines[connected].At - startedAt).TotalSeconds:F1} s after start: {LogEntry(agentLines, connected - 1)}");
            output.WriteLine($"arm64 run, first centrifuge batch: {sample}");
            output.WriteLine($"timing: script start to agent start (publish + root filesystem + library check) {startedAt.TotalSeconds:F1} s");
            output.WriteLine($"timing: agent start under qemu to first centrifuge batch at the subscriber {(batchAt - startedAt).TotalSeconds:F1} s");
            output.WriteLine($"timing: SIGTERM to clean exit under qemu {stopSeconds:F1} s");
            output.WriteLine($"timing: whole test {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            if (!smoke.HasExited)
            {
                kill(smoke.Id, 15);
                if (await Task.WhenAny(exited, Task.Delay(StopDeadline)) != exited) smoke.Kill(entireProcessTree: true);
            }
            await exited;
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// validate-config of the ahead-of-time build: configuration binding and the key checker run without
    /// run-time code generation, yet still name file, line and field of every problem, and accept the examples.
    /// </summary>
    private async Task ValidateConfigUnderQemuAsync(string binary, string work)
    {
        var bad = Path.Combine(work, "bad.yaml");
        await File.WriteAllTextAsync(bad, """
            site: md-arm64
            device: pi-01
            sensors:
              - driver: simulated
                equipment: c1
                profile: centrifuge
                intervalMs: soon
                colour: red
            """);
        var (exit, stdout, stderr) = await Shell.RunAsync("qemu-aarch64-static", "-L", Arm64RootFs.Path, binary, "validate-config", bad);
        output.WriteLine($"validate-config of a bad file under qemu (exit {exit}):\n{stdout}{stderr}");
        Assert.Equal(1, exit);
        Assert.Contains($"{bad}:8: sensors[0].colour: unknown setting 'colour'", stdout);
        Assert.Contains($"{bad}:7: sensors[0].intervalMs: 'soon' is not a valid whole number", stdout);
        foreach (var example in Directory.GetFiles(Path.Combine(Repo.Root, "firmware-config", "examples"), "*.yaml"))
        {
            (exit, stdout, stderr) = await Shell.RunAsync("qemu-aarch64-static", "-L", Arm64RootFs.Path, binary, "validate-config", example);
            Assert.True(exit == 0, $"{example}: exit {exit}\n{stdout}{stderr}");
            Assert.Contains(": ok (", stdout);
        }
    }

    /// <summary>The console logger writes "info: Category[0]" and the message on the next line.</summary>
    private static string LogEntry(List<(TimeSpan At, string Line)> lines, int index) =>
        index + 1 < lines.Count && lines[index + 1].Line.StartsWith("      ", StringComparison.Ordinal)
            ? $"{lines[index].Line} {lines[index + 1].Line.Trim()}"
            : index < lines.Count ? lines[index].Line : "(none)";

    private static string? FileType(string path)
    {
        if (!RequiresToolsFactAttribute.OnPath("file")) return null;
        var psi = new ProcessStartInfo("file", ["-b", path]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Trim();
    }

    /// <summary>ELF magic, 64-bit class, e_machine 0xB7 (EM_AARCH64).</summary>
    private static bool IsAarch64Elf(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 20);
        return header[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F'])
            && header[4] == 2 && BitConverter.ToUInt16(header[18..20]) == 0xB7;
    }

    private static List<(TimeSpan At, string Line)> Snapshot(List<(TimeSpan At, string Line)> log)
    {
        lock (log) return [.. log];
    }

    private static string Dump(List<(TimeSpan At, string Line)> log) =>
        string.Join("\n", Snapshot(log).Select(l => $"[{l.At.TotalSeconds,6:F1}] {l.Line}"));

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
