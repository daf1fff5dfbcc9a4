using System.Security.Cryptography;
using EdgeTelemetry.Central.Devices;
using EdgeTelemetry.Central.Ingest;
using EdgeTelemetry.Model;
using EdgeTelemetry.Security;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeTelemetry.Central.Tests.Ingest;

/// <summary>Verification in the ingest core: before anything is stored or accounted, on the hot path and through the validator alike.</summary>
public sealed class SignedBatchIngestTests : IDisposable
{
    private const string Topic = "edgetelemetry/v1/site-a/dev-1/telemetry";
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly long NowNs = Time.ToUnixNanoseconds(Now);
    private readonly TempDir _dir = new();
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private string Registry => _dir.File("devices.json");

    public void Dispose()
    {
        _key.Dispose();
        _dir.Dispose();
    }

    private MessageIngest Core(IngestOptions? options = null) =>
        new(new IngestMetrics(), new DeliveryTracker(), options ?? new IngestOptions(), NullLogger.Instance, null,
            new DeviceKeyring(Registry, TimeSpan.Zero, TimeProvider.System, NullLogger.Instance));

    private void Enrol(ECDsa key, string device = "dev-1") =>
        DeviceRegistry.Save(Registry, DeviceKeyChanges.Enrol(DeviceRegistry.Load(Registry), "site-a", device,
            DeviceKeyChanges.ParseKey(EcKeyPem.PublicPem(key), Now, "test"), Now));

    private static Sample Centrifuge(long seq) =>
        new(seq, NowNs - 1_000_000_000L + seq, "centrifuge", "icon-1", [new Reading("bowl_speed", 400.5, Units.Rpm)]);

    private static byte[] Batch(params Sample[] samples) => BatchCodec.Encode(BatchCodec.ToBatch("site-a", "dev-1", "s-1", "0.1.0", samples, NowNs));

    private static BatchSignatureProperties Sign(ECDsa key, byte[] payload, long first, long last, string device = "dev-1", string stream = "s-1") =>
        new(Convert.ToBase64String(BatchSignature.Sign(key, BatchSignature.Digest("site-a", device, stream, first, last, payload))),
            KeyFingerprint.KeyId(KeyFingerprint.Of(key)));

    [Fact]
    public void A_verified_batch_marks_every_point_signed_whether_the_hot_path_or_the_validator_takes_it()
    {
        Enrol(_key);
        var samples = new[] { Centrifuge(1), Centrifuge(2), Centrifuge(3) };
        var v1 = Batch(samples);
        var encoder = new WireV2Encoder("s-1", "0.1.0");
        var v2 = encoder.Encode(samples, NowNs, out _);

        using var fromV1 = Core().Prepare(Topic, v1, Now, signature: Sign(_key, v1, 1, 3));
        var core = Core();
        core.Prepare(Topics.DictionaryFor("site-a", "dev-1", encoder.DictionaryId), encoder.DictionaryPayload, Now).Dispose();
        using var fromV2 = core.Prepare(Topic, v2, Now, signature: Sign(_key, v2, 1, 3));

        Assert.Equal(3, fromV1.Accepted);
        Assert.Equal(3, fromV2.Accepted);
        static string Points(PreparedMessage m) => string.Join("\n", m.Lines.ToString().Split('\n').Where(l => l.StartsWith("centrifuge,", StringComparison.Ordinal)));
        Assert.Equal(3, Points(fromV1).Split('\n').Count(l => l.Contains(",signed=true ", StringComparison.Ordinal)));
        Assert.Equal(Points(fromV1), Points(fromV2));
    }

    [Fact]
    public void A_signature_over_other_bytes_another_seq_range_or_by_another_key_is_refused_whole_and_nothing_is_accounted()
    {
        Enrol(_key);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = Batch(Centrifuge(1), Centrifuge(2));
        var forgedKey = Sign(other, payload, 1, 2) with { KeyId = KeyFingerprint.KeyId(KeyFingerprint.Of(_key)) };
        foreach (var (name, signature) in new[]
                 {
                     ("another key", forgedKey),
                     ("another seq range", Sign(_key, payload, 1, 3)),
                     ("another device", Sign(_key, payload, 1, 2, device: "dev-2")),
                     ("another stream", Sign(_key, payload, 1, 2, stream: "s-2")),
                     ("an unknown key id", Sign(other, payload, 1, 2)),
                     ("garbage", new BatchSignatureProperties("not base64!", KeyFingerprint.KeyId(KeyFingerprint.Of(_key)))),
                 })
        {
            var core = Core();
            using var prepared = core.Prepare(Topic, payload, Now, signature: signature);
            Assert.True(prepared.Accepted == 0, name);
            Assert.Equal(RejectReason.InvalidSignature, Assert.Single(prepared.Rejections).Reason);
            Assert.Equal([(1L, 2L)], prepared.RejectedSeqs); // receipted as rejected: the agent does not retry for ever
            Assert.DoesNotContain("centrifuge,", prepared.Lines.ToString());
            Assert.Contains("payload_b64=", prepared.Lines.ToString()); // the full payload kept for review
        }
    }

    [Fact]
    public void An_unsigned_batch_is_refused_from_an_enrolled_device_and_from_any_device_of_a_site_that_requires_signatures()
    {
        Enrol(_key);
        var payload = Batch(Centrifuge(1));
        using (var enrolled = Core().Prepare(Topic, payload, Now))
            Assert.Equal(RejectReason.UnsignedBatch, Assert.Single(enrolled.Rejections).Reason);

        var otherTopic = "edgetelemetry/v1/site-a/dev-9/telemetry";
        var unenrolled = BatchCodec.Encode(BatchCodec.ToBatch("site-a", "dev-9", "s-1", "0.1.0", [Centrifuge(1)], NowNs));
        using (var permissive = Core().Prepare(otherTopic, unenrolled, Now))
        {
            Assert.Equal(1, permissive.Accepted);
            Assert.DoesNotContain("signed=", permissive.Lines.ToString()); // stored, not marked
        }
        var strict = new IngestOptions { Signatures = new SignatureOptions { Sites = { ["site-a"] = SignatureOptions.Required } } };
        using var required = Core(strict).Prepare(otherTopic, unenrolled, Now);
        Assert.Equal(RejectReason.UnsignedBatch, Assert.Single(required.Rejections).Reason);
    }

    [Fact]
    public void A_revoked_device_is_refused_whatever_it_signs_with_until_enrolled_again_with_a_new_key()
    {
        Enrol(_key);
        var payload = Batch(Centrifuge(1));
        DeviceRegistry.Save(Registry, DeviceKeyChanges.Revoke(DeviceRegistry.Load(Registry), "site-a", "dev-1", Now));
        using (var revoked = Core().Prepare(Topic, payload, Now, signature: Sign(_key, payload, 1, 1)))
            Assert.Equal(RejectReason.InvalidSignature, Assert.Single(revoked.Rejections).Reason);

        using var fresh = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Enrol(fresh);
        using (var renewed = Core().Prepare(Topic, payload, Now, signature: Sign(fresh, payload, 1, 1)))
            Assert.Equal(1, renewed.Accepted);
        using var old = Core().Prepare(Topic, payload, Now, signature: Sign(_key, payload, 1, 1));
        Assert.Contains("revoked", Assert.Single(old.Rejections).Detail);
    }

    [Fact]
    public void A_device_cannot_mark_its_own_points_signed()
    {
        var payload = Batch(new Sample(1, NowNs - 5, "centrifuge", "icon-1", [new Reading("bowl_speed", 400, Units.Rpm), new Reading("signed", 1, Units.Rpm)]));
        using var prepared = Core().Prepare(Topic, payload, Now);
        Assert.Equal(0, prepared.Accepted);
        Assert.Equal(RejectReason.InvalidName, Assert.Single(prepared.Rejections).Reason);
    }

    [Fact]
    public void Sites_can_be_listed_as_values_because_an_environment_file_cannot_name_a_site_with_a_dash()
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingest:Signatures:RequiredSites"] = "md-huepetuhe-01, site-b",
            ["Ingest:Signatures:Sites:site-b"] = SignatureOptions.Permissive, // a named site's own mode wins
        }).Build().GetSection("Ingest:Signatures").Get<SignatureOptions>()!;
        Assert.True(options.IsRequired("md-huepetuhe-01"));
        Assert.False(options.IsRequired("site-b"));
        Assert.False(options.IsRequired("site-c"));
        Assert.Empty(options.Problems());

        var strict = new SignatureOptions { Mode = SignatureOptions.Required, PermissiveSites = "site-c" };
        Assert.False(strict.IsRequired("site-c"));
        Assert.True(strict.IsRequired("site-d"));
        Assert.Contains("both", Assert.Single(new SignatureOptions { RequiredSites = "x", PermissiveSites = "x" }.Problems()));
    }

    [Fact]
    public void A_misspelt_signature_mode_stops_the_start_rather_than_running_permissive()
    {
        var options = new IngestOptions { Signatures = new SignatureOptions { Mode = "requried" } };
        Assert.Contains("requried", Assert.Throws<InvalidOperationException>(() => Core(options)).Message);
    }
}
