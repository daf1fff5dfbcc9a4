using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.LocalServers;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace EdgeTelemetry.Arm64Tests;

/// <summary>The linux-arm64 agent, as published for a Raspberry Pi, runs (under qemu) and publishes telemetry.</summary>
public class Arm64AgentTests(ITestOutputHelper output)
{
    [RequiresToolsFact("qemu-aarch64-static", "debootstrap")]
    public async Task Published_arm64_agent_starts_under_qemu_and_publishes_simulated_telemetry()
    {
        await using var broker = await MosquittoServer.StartAsync();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        var firstBatch = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            firstBatch.TrySetResult(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        // A persistent session first: the agent keeps data buffered while nobody subscribes.
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).WithClientId("arm64-test").WithCleanStart(false).WithSessionExpiryInterval(600).Build());
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("edgetelemetry/v1/+/+/telemetry", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var work = Directory.CreateTempSubdirectory("et-arm64-").FullName;
        var log = new List<string>();
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root };
        foreach (var a in new[] { "scripts/arm64-smoke.sh", "--broker-port", broker.Port.ToString(), "--seconds", "600", "--work", work }) psi.ArgumentList.Add(a);
        var started = Stopwatch.StartNew();
        using var smoke = Process.Start(psi)!;
        smoke.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.Add(e.Data); };
        smoke.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.Add(e.Data); };
        smoke.BeginOutputReadLine();
        smoke.BeginErrorReadLine();
        try
        {
            var exited = smoke.WaitForExitAsync();
            var winner = await Task.WhenAny(firstBatch.Task, exited, Task.Delay(TimeSpan.FromMinutes(8)));
            Assert.True(winner == firstBatch.Task, "no telemetry from the arm64 agent; its output:\n" + string.Join("\n", Snapshot(log)));
            var json = JsonDocument.Parse(await firstBatch.Task).RootElement;
            Assert.Equal(("md-arm64", "pi-01"), (json.GetProperty("site").GetString(), json.GetProperty("device").GetString()));
            var sample = json.GetProperty("samples")[0];
            Assert.Equal("centrifuge", sample.GetProperty("m").GetString());
            Assert.Contains(sample.GetProperty("r").EnumerateArray(), r => r.GetProperty("n").GetString() == "bowl_speed");
            Assert.True(IsAarch64Elf(Path.Combine(work, "agent", "EdgeTelemetry.Agent")), "the published agent must be an ARM aarch64 ELF executable");
            foreach (var line in Snapshot(log).Where(l => l.StartsWith("arm64:") || l.Contains("Connected to broker")))
                output.WriteLine(line.Trim());
            output.WriteLine($"arm64: first telemetry batch {started.Elapsed.TotalSeconds:F0} s after the script started: {sample}");
        }
        finally
        {
            if (!smoke.HasExited) smoke.Kill(entireProcessTree: true);
            await smoke.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>ELF magic, 64-bit class, e_machine 0xB7 (EM_AARCH64).</summary>
    private static bool IsAarch64Elf(string path)
    {
        var header = File.ReadAllBytes(path).AsSpan(0, 20);
        return header[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']) && header[4] == 2 && BitConverter.ToUInt16(header[18..20]) == 0xB7;
    }

    private static List<string> Snapshot(List<string> log)
    {
        lock (log) return [.. log];
    }
}
