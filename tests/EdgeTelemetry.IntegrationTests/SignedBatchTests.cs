using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using EdgeTelemetry.Agent.Signing;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using EdgeTelemetry.Security;
using EdgeTelemetry.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeTelemetry.IntegrationTests;

/// <summary>
/// Issue 14: a key per device, every batch signed, verified before storing — real Mosquitto, influxd, agent and
/// central service. A broker password alone no longer lets anyone publish readings as an enrolled device.
/// </summary>
public class SignedBatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_enrolled_agents_batches_are_stored_signed_while_a_forged_or_unsigned_batch_on_its_topic_is_refused_and_nothing_of_it_stored()
    {
        const string device = "sig-agent";
        await using var plant = await Plant.StartAsync();
        var registry = Path.Combine(plant.Dir, "devices.json");
        var config = plant.AgentConfig(device, "centrifuge", intervalMs: 100);

        // On the Pi: keygen, key show; on the central side: enrol the printed PEM.
        Assert.Equal(0, KeyCommands.Run(["keygen", "--config", config], new StringWriter(), new StringWriter()));
        var shown = new StringWriter();
        Assert.Equal(0, KeyCommands.Run(["key", "show", "--config", config], shown, new StringWriter()));
        var printed = shown.ToString();
        var fingerprint = printed.Split('\n').Single(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..];
        var pem = printed[printed.IndexOf("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)..];
        var enrolled = DeviceKeyChanges.ParseKey(pem, DateTimeOffset.UtcNow, "key show");
        Assert.Equal(fingerprint, enrolled.Fingerprint); // the fingerprint the Pi prints is the one the central service computes
        DeviceRegistry.Save(registry, DeviceKeyChanges.Enrol([], Plant.Site, device, enrolled, DateTimeOffset.UtcNow));

        var central = await plant.StartCentralAsync($"--Ingest:DevicesFile={registry}");
        plant.Own(central);
        var agent = await plant.StartAgentFromAsync(config);
        // Counted on the centrifuge's own points (the agent's health record is another measurement).
        await Eventually.TrueAsync(async () => (await SignedCountAsync(plant, device, "centrifuge-1")).All >= 10, Patience, "the agent's samples stored");
        var (all, signed) = await SignedCountAsync(plant, device, "centrifuge-1");
        Assert.True(signed == all, $"{signed} of {all} points signed=true");

        await using var mqtt = await RawClient.ConnectAsync(plant);
        var receipts = await mqtt.ReceiptsAsync(device);
        var topic = Topics.For(Plant.Site, device, TopicKind.Telemetry);
        // Right topic, the enrolled key's id, another key's signature: someone holding only the broker password.
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Batch(device, "forged", "forged-eq", 3);
        var digest = BatchSignature.Digest(Plant.Site, device, "forged", 1, 3, forged);
        await mqtt.PublishAsync(topic, forged, Convert.ToBase64String(BatchSignature.Sign(thief, digest)), KeyFingerprint.KeyId(fingerprint));
        await mqtt.PublishAsync(topic, Batch(device, "unsigned", "unsigned-eq", 2));

        await Eventually.TrueAsync(async () => (await RejectsAsync(plant, device)).Count == 2, Patience, "two dead letters");
        Assert.Equal(["invalid_signature", "unsigned_batch"], (await RejectsAsync(plant, device)).Order());
        Assert.Equal((0, 0), await SignedCountAsync(plant, device, "forged-eq"));
        Assert.Equal((0, 0), await SignedCountAsync(plant, device, "unsigned-eq"));
        // Receipted as rejected, so a (misconfigured) agent prunes them instead of retrying for ever.
        await Eventually.TrueAsync(() => Task.FromResult(receipts.Contains("forged", "\"rejected\":\"1-3\"") && receipts.Contains("unsigned", "\"rejected\":\"1-2\"")),
            Patience, "rejected receipts", () => Task.FromResult(receipts.ToString()));
        // The agent's own batches go on being stored, signed.
        var before = await plant.StoredCountAsync(device);
        await Eventually.TrueAsync(async () => await plant.StoredCountAsync(device) > before + 5, Patience, "more of the agent's samples");
        (all, signed) = await SignedCountAsync(plant, device, "centrifuge-1");
        Assert.Equal(all, signed);
        await agent.StopAsync();
        agent.Dispose();
    }

    [Fact]
    public async Task A_permissive_site_stores_an_unenrolled_devices_points_unsigned_and_a_required_site_refuses_them()
    {
        await using var plant = await Plant.StartAsync();
        var central = await plant.StartCentralAsync($"--Ingest:DevicesFile={Path.Combine(plant.Dir, "devices.json")}",
            "--Ingest:Signatures:Sites:md-strict=required");
        plant.Own(central);
        await using var mqtt = await RawClient.ConnectAsync(plant);

        await mqtt.PublishAsync(Topics.For(Plant.Site, "open-1", TopicKind.Telemetry), Batch("open-1", "s1", "eq-1", 4));
        await mqtt.PublishAsync(Topics.For("md-strict", "open-1", TopicKind.Telemetry), Batch("open-1", "s1", "eq-1", 4, site: "md-strict"));

        await Eventually.TrueAsync(async () => await plant.StoredCountAsync("open-1") == 4, Patience, "the permissive site's points");
        Assert.Equal((4, 0), await SignedCountAsync(plant, "open-1", "eq-1")); // stored, not marked signed
        await Eventually.TrueAsync(async () => (await RejectsAsync(plant, "open-1", "md-strict")).Count == 1, Patience, "the required site's refusal");
        Assert.Equal("unsigned_batch", (await RejectsAsync(plant, "open-1", "md-strict")).Single());
        var stored = await plant.Influx.QuerySeriesAsync(Plant.Database, "SELECT count(seq) FROM centrifuge, \"raw\".centrifuge WHERE site = 'md-strict'");
        Assert.Empty(stored.SelectMany(s => s.Rows));
    }

    [Fact]
    public async Task A_second_instance_sees_an_enrolment_made_after_it_started_and_rotation_and_revocation_take_effect_without_restarts()
    {
        const string device = "sig-rot";
        await using var plant = await Plant.StartAsync();
        var registry = Path.Combine(plant.Dir, "devices.json");
        var adminKey = "plant-admin-" + Guid.NewGuid().ToString("N");
        string[] common = [$"--Ingest:DevicesFile={registry}", "--Api:Keys:1:Name=plant-admin", $"--Api:Keys:1:Key={adminKey}", "--Api:Keys:1:Role=admin"];
        var first = await plant.StartCentralAsync(common);
        plant.Own(first);
        var second = await plant.StartCentralAsync([.. common, $"--Ingest:ClientId={plant.CentralClientId}-b"]);
        plant.Own(second);
        using var http = new HttpClient { BaseAddress = new Uri(first.Urls.First()) };
        http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        using var keyA = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var keyB = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // Enrolled through the first instance's admin API, after both started: the second reads the registry again.
        var put = await http.PutAsync($"/api/admin/devices/{Plant.Site}/{device}/key", new StringContent(EcKeyPem.PublicPem(keyA)));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var keyring = second.Services.GetRequiredService<DeviceKeyring>();
        await Eventually.TrueAsync(() => Task.FromResult(keyring.Find(Plant.Site, device) is { Keys.Count: 1 }), Patience, "the second instance sees the enrolment");

        // Both instances share the subscription: each verifies the batches it gets.
        await using var mqtt = await RawClient.ConnectAsync(plant);
        var topic = Topics.For(Plant.Site, device, TopicKind.Telemetry);
        for (var i = 0; i < 4; i++) await mqtt.PublishSignedAsync(topic, device, $"a{i}", "eq-a", keyA);
        await Eventually.TrueAsync(async () => (await SignedCountAsync(plant, device, "eq-a")).Signed == 8, Patience, "key A's batches stored signed");
        Assert.True(second.Services.GetRequiredService<IngestMetrics>().MessagesReceived > 0, "the second instance took part");

        // Rotation: B becomes current, A is kept (retired) and still verifies what it signed.
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync($"/api/admin/devices/{Plant.Site}/{device}/key", new StringContent(EcKeyPem.PublicPem(keyB)))).StatusCode);
        await Eventually.TrueAsync(() => Task.FromResult(keyring.Find(Plant.Site, device) is { Keys.Count: 2 }), Patience, "the second instance sees the rotation");
        var entry = DeviceRegistry.Load(registry).Single();
        Assert.Equal(["retired", "current"], entry.Keys.Select(k => k.State));
        Assert.Equal(KeyFingerprint.Of(keyB), entry.CurrentKey!.Fingerprint);
        for (var i = 0; i < 4; i++) await mqtt.PublishSignedAsync(topic, device, $"b{i}", "eq-b", keyB);
        await mqtt.PublishSignedAsync(topic, device, "a-late", "eq-a-late", keyA);
        await Eventually.TrueAsync(async () => (await SignedCountAsync(plant, device, "eq-b")).Signed == 8, Patience, "key B's batches stored signed");
        await Eventually.TrueAsync(async () => (await SignedCountAsync(plant, device, "eq-a-late")).Signed == 2, Patience, "the retired key still verifies");

        // Revocation: refused on every instance, whichever key signs.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync($"/api/admin/devices/{Plant.Site}/{device}/revoke", null)).StatusCode);
        await Eventually.TrueAsync(() => Task.FromResult(keyring.Find(Plant.Site, device) is { Revoked: true }), Patience, "the second instance sees the revocation");
        for (var i = 0; i < 4; i++) await mqtt.PublishSignedAsync(topic, device, $"r{i}", "eq-r", keyB);
        await Eventually.TrueAsync(async () => (await RejectsAsync(plant, device)).Count(r => r == "invalid_signature") == 4, Patience, "the revoked device's batches refused");
        Assert.Equal((0, 0), await SignedCountAsync(plant, device, "eq-r"));
        var list = await http.GetStringAsync("/api/admin/devices");
        Assert.Contains("\"revokedAt\"", list);
    }

    [Fact]
    public async Task A_bundle_exported_on_the_pi_is_signed_its_import_stores_the_points_signed_and_a_re_signed_envelope_is_refused()
    {
        const string device = "sig-usb";
        await using var plant = await Plant.StartAsync();
        await plant.Broker.StopAsync(); // no link at the site
        var config = plant.AgentConfig(device, "centrifuge", intervalMs: 20);
        using (var agent = await plant.StartAgentFromAsync(config))
        {
            await Eventually.TrueAsync(async () => (await Plant.ReadBufferFileAsync(plant.BufferPath(device))).MaxSeq >= 30, Patience, "30 samples buffered offline");
            await agent.StopAsync();
        }
        var registry = Path.Combine(plant.Dir, "devices.json");
        using var deviceKey = DeviceKey.Load(Path.Combine(plant.Dir, "device-key.pem")); // created by the agent's first start
        DeviceRegistry.Save(registry, DeviceKeyChanges.Enrol([], Plant.Site, device, DeviceKeyChanges.ParseKey(deviceKey.PublicKeyPem, DateTimeOffset.UtcNow, "pi"), DateTimeOffset.UtcNow));

        var usb = Path.Combine(plant.Dir, "usb");
        var log = new StringWriter();
        Assert.Equal(0, await EdgeTelemetry.Agent.Transfer.BundleExport.RunAsync(["--config", config, "--out", usb], log, log));
        var bundlePath = Assert.Single(Directory.GetFiles(usb));
        var bundle = await EdgeTelemetry.Transfer.BundleReader.VerifyAsync(bundlePath);
        string[] central = [$"--Influx:Url={plant.Influx.Url}", $"--Influx:Database={Plant.Database}", $"--Ingest:DevicesFile={registry}"];
        Assert.True(await EdgeTelemetry.Central.Transfer.BundleImport.RunAsync([bundlePath, .. central], log, log) == 0, log.ToString());
        Assert.Equal(bundle.Header.Samples, await plant.StoredCountAsync(device));
        var (all, signed) = await SignedCountAsync(plant, device, "centrifuge-1"); // (the agent's health record is another measurement)
        Assert.True(all >= 20 && signed == all, $"{signed} of {all} imported points signed=true");

        // The same bundle with its envelope signed by another key under the device's key id (checksum recomputed): refused.
        using var thief = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Path.Combine(plant.Dir, "forged" + EdgeTelemetry.Transfer.Bundle.Extension);
        var forgedHeader = bundle.Header;
        await using (var file = File.Create(forged))
        await using (var writer = await EdgeTelemetry.Transfer.BundleWriter.StartAsync(file, forgedHeader))
        {
            await foreach (var entry in EdgeTelemetry.Transfer.BundleReader.ReadEntriesAsync(bundle))
            {
                if (entry.DictionaryId is not null) { await writer.WriteDictionaryAsync(entry.Envelope); continue; }
                var v2 = EdgeTelemetry.Wire.V2.WireV2.IsV2(entry.Envelope);
                var seqs = v2 && EdgeTelemetry.Wire.V2.WireV2.TryReadSeqs(entry.Envelope, 100_000, 1 << 24, out _, out var read) ? read
                    : BatchCodec.TryDecode(entry.Envelope, out _)!.Samples!.Select(x => x.Seq).ToList();
                var digest = BatchSignature.Digest(Plant.Site, device, bundle.Header.Stream, seqs.Min(), seqs.Max(), entry.Envelope);
                var forgedSignature = new BatchSignatureProperties(Convert.ToBase64String(BatchSignature.Sign(thief, digest)), deviceKey.KeyId);
                if (v2) await writer.WriteV2Async(entry.Kind, entry.Envelope, default, forgedSignature);
                else await writer.WriteEnvelopeAsync(entry.Kind, entry.Envelope, default, forgedSignature);
            }
            await writer.CompleteAsync();
        }
        var forgedLog = new StringWriter();
        Assert.Equal(3, await EdgeTelemetry.Central.Transfer.BundleImport.RunAsync([forged, .. central], forgedLog, forgedLog));
        Assert.Contains("invalid_signature", forgedLog.ToString());
    }

    /// <summary>A v1 batch of <paramref name="count"/> centrifuge samples (seq 1…count), recent.</summary>
    internal static byte[] Batch(string device, string stream, string equipment, int count, string site = Plant.Site)
    {
        var t0 = Time.ToUnixNanoseconds(DateTimeOffset.UtcNow.AddSeconds(-30));
        return BatchCodec.Encode(BatchCodec.ToBatch(site, device, stream, "0.1.0", Enumerable.Range(1, count).Select(seq =>
            new Sample(seq, t0 + seq * 1_000_000L, "centrifuge", equipment, [new Reading("bowl_speed", 400 + seq, "rpm")]))));
    }

    /// <summary>Points stored for (device, equipment), and how many of them carry signed=true.</summary>
    private static async Task<(long All, long Signed)> SignedCountAsync(Plant plant, string device, string equipment) =>
        (await CountAsync(plant, "seq", device, equipment), await CountAsync(plant, "signed", device, equipment));

    private static async Task<long> CountAsync(Plant plant, string field, string device, string equipment)
    {
        try
        {
            // Telemetry lands in the "raw" retention policy (docs/retention.md); both are read.
            var series = await plant.Influx.QuerySeriesAsync(Plant.Database,
                $"SELECT count({field}) FROM centrifuge, \"raw\".centrifuge WHERE device = '{device}' AND equipment = '{equipment}'");
            return series.SelectMany(s => s.Rows).Sum(r => r[1] is null ? 0 : Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("not found"))
        {
            return 0;
        }
    }

    private static async Task<List<string>> RejectsAsync(Plant plant, string device, string site = Plant.Site)
    {
        try
        {
            var series = await plant.Influx.QuerySeriesAsync(Plant.Database, $"SELECT payload_b64, reason FROM rejects WHERE site = '{site}' AND device = '{device}'");
            return series.SelectMany(s => s.Rows).Select(r => (string)r[2]!).ToList();
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("not found"))
        {
            return [];
        }
    }

    /// <summary>A device's MQTT connection without an agent: exactly the bytes and properties a test gives it.</summary>
    private sealed class RawClient(IMqttClient client) : IAsyncDisposable
    {
        private readonly StringBuilder _receipts = new();

        public static async Task<RawClient> ConnectAsync(Plant plant)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(plant.Broker.Host, plant.Broker.Port)
                .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
            return new RawClient(client);
        }

        public async Task<Receipts> ReceiptsAsync(string device)
        {
            var seen = new Receipts();
            client.ApplicationMessageReceivedAsync += e =>
            {
                seen.Add(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
                return Task.CompletedTask;
            };
            await client.SubscribeAsync(Topics.For(Plant.Site, device, TopicKind.Receipts), MqttQualityOfServiceLevel.AtLeastOnce);
            return seen;
        }

        public async Task PublishAsync(string topic, byte[] payload, string? sig = null, string? kid = null)
        {
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (sig is not null) message.WithUserProperty(BatchSignature.SignatureProperty, Encoding.ASCII.GetBytes(sig));
            if (kid is not null) message.WithUserProperty(BatchSignature.KeyIdProperty, Encoding.ASCII.GetBytes(kid));
            await client.PublishAsync(message.Build());
        }

        /// <summary>A 2-sample batch signed with <paramref name="key"/> as an agent signs it.</summary>
        public Task PublishSignedAsync(string topic, string device, string stream, string equipment, ECDsa key)
        {
            var payload = Batch(device, stream, equipment, 2);
            var sig = BatchSignature.Sign(key, BatchSignature.Digest(Plant.Site, device, stream, 1, 2, payload));
            return PublishAsync(topic, payload, Convert.ToBase64String(sig), KeyFingerprint.KeyId(KeyFingerprint.Of(key)));
        }

        public async ValueTask DisposeAsync()
        {
            await client.DisconnectAsync();
            client.Dispose();
        }
    }

    private sealed class Receipts
    {
        private readonly List<string> _all = [];
        public void Add(string json) { lock (_all) _all.Add(json); }
        public bool Contains(string stream, string part) { lock (_all) return _all.Any(r => r.Contains($"\"stream\":\"{stream}\"") && r.Contains(part)); }
        public override string ToString() { lock (_all) return string.Join(" | ", _all); }
    }
}
