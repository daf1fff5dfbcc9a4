using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;
using EdgeTelemetry.Transfer;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// One message turned into the lines to write: points, delivery record, dead letters, as UTF-8 in a pooled buffer.
/// Dispose once its write is done (returns the buffer to the pool).
/// </summary>
public sealed class PreparedMessage(string topic, byte[] payload, DateTimeOffset receivedAt, DeviceTopic? device, string? stream,
    LineBuffer lines, int pointCount, int accepted, IReadOnlyList<Rejection> rejections, long refusedSamples) : IDisposable
{
    public string Topic { get; } = topic;
    public byte[] Payload { get; } = payload;
    public DateTimeOffset ReceivedAt { get; } = receivedAt;
    public DeviceTopic? Device { get; } = device;
    public string? Stream { get; } = stream;
    public LineBuffer Lines { get; } = lines;
    public int PointCount { get; } = pointCount;
    /// <summary>Samples to be stored.</summary>
    public int Accepted { get; } = accepted;
    public IReadOnlyList<Rejection> Rejections { get; } = rejections;
    /// <summary>Samples refused (a message-level rejection refuses all of them).</summary>
    public long RefusedSamples { get; } = refusedSamples;
    /// <summary>Set when InfluxDB refused the points and the message went to the dead-letter store instead.</summary>
    public Rejection? RefusedByDatabase { get; set; }
    /// <summary>Sequence numbers this message stores once its write succeeds (ascending ranges).</summary>
    public IReadOnlyList<(long From, long To)> StoredSeqs { get; init; } = [];
    /// <summary>Sequence numbers this message dead-letters with their reason (ascending ranges).</summary>
    public IReadOnlyList<(long From, long To)> RejectedSeqs { get; init; } = [];
    /// <summary>Wire v2: sequence numbers deferred because their dictionary (<see cref="MissingDictionary"/>) has not arrived.</summary>
    public IReadOnlyList<(long From, long To)> DeferredSeqs { get; init; } = [];
    public ulong? MissingDictionary { get; init; }

    public void Dispose() => Lines.Dispose();
}

/// <summary>
/// The one ingest core, for live MQTT and offline import alike: decode → validate → line protocol →
/// delivery accounting for one message, inside a fault boundary (any exception becomes an
/// <c>internal_error</c> dead letter holding the full payload, never a stopped service), and the
/// write that splits a batch InfluxDB refuses so one bad message cannot block the rest.
/// </summary>
public sealed class MessageIngest
{
    private readonly IngestMetrics _metrics;
    private readonly DeliveryTracker _delivery;
    private readonly IngestOptions _options;
    private readonly ILogger _logger;
    private readonly ValidationLimits _limits;
    private readonly HashSet<(string, string)> _known;
    private readonly BatchTranscoder _transcoder;
    /// <summary>Wire-v2 dictionaries as devices published them (retained, so every instance gets all on subscribing).</summary>
    private readonly ConcurrentDictionary<(string Site, string Device), DeviceDictionaries> _dictionaries = new();
    private const int MaxDictionariesPerDevice = 64;
    private const int MaxSeriesPerDictionary = 1024;

    private readonly ReplayGuard? _replays;
    private readonly Devices.DeviceKeyring _keyring;
    private readonly BatchAuthenticator _authenticator;

    /// <param name="replays">The replay check against stored points; null (no storage to read, e.g. a test) stores replays unchecked.</param>
    /// <param name="keyring">Enrolled devices and their keys, as the registry file says now; null: none (every device unenrolled).</param>
    public MessageIngest(IngestMetrics metrics, DeliveryTracker delivery, IngestOptions options, ILogger logger, ReplayGuard? replays = null,
        Devices.DeviceKeyring? keyring = null)
    {
        _replays = replays;
        _keyring = keyring ?? Devices.DeviceKeyring.None;
        var problems = options.Signatures.Problems().ToList();
        if (problems.Count > 0) throw new InvalidOperationException(string.Join("; ", problems));
        _authenticator = new BatchAuthenticator(_keyring, options.Signatures);
        _metrics = metrics;
        _delivery = delivery;
        _options = options;
        _logger = logger;
        _limits = new ValidationLimits
        {
            MaxPayloadBytes = options.MaxPayloadBytes,
            MaxFutureSkew = TimeSpan.FromMinutes(Math.Clamp(options.MaxFutureSkewMinutes, 0, 525_600)),
            AdditionalMeasurements = new HashSet<string>(options.AdditionalMeasurements, StringComparer.Ordinal),
        };
        _known = options.KnownDevices.Select(ParseDevice).ToHashSet();
        _transcoder = new BatchTranscoder(_limits);
    }

    /// <summary>Test hook: runs before a message is prepared (lets a test make preparation throw).</summary>
    internal Action<string>? BeforePrepare { get; set; }

    /// <summary>Ingest:KnownDevices as configured at start, or enrolled (unrevoked) in the registry as it is now.</summary>
    private bool Known(string site, string device) =>
        _known.Contains((site, device)) || _keyring.Find(site, device) is { Revoked: false };

    private static (string, string) ParseDevice(string entry)
    {
        var parts = entry.Split('/');
        if (parts.Length != 2 || !Topics.IsValidId(parts[0]) || !Topics.IsValidId(parts[1]))
            throw new InvalidOperationException($"Ingest:KnownDevices entry '{entry}' must be <site>/<device>");
        return (parts[0], parts[1]);
    }

    /// <summary>
    /// Prepares one message without the replay check (for callers that store nothing, e.g. tests); never throws.
    /// <paramref name="origin"/> (e.g. "bundle X line N") is added to rejection details.
    /// </summary>
    public PreparedMessage Prepare(string topic, byte[] payload, DateTimeOffset receivedAt, string? origin = null, BatchSignatureProperties? signature = null) =>
        PrepareAsync(topic, payload, receivedAt, null, origin, CancellationToken.None, signature).GetAwaiter().GetResult(); // completes synchronously without access

    /// <summary>
    /// Prepares one message; with <paramref name="access"/>, a replay that would change stored values is dead-lettered
    /// (conflicting_replay) instead of stored. Throws only when cancelled or when InfluxDB stays unavailable to the
    /// check beyond <see cref="ReplayCheckAccess.Retry"/> (then nothing of the message was accounted or stored).
    /// </summary>
    /// <param name="signature">The batch's signature properties as received (MQTT user properties; a bundle line's members).</param>
    public async Task<PreparedMessage> PrepareAsync(string topic, byte[] payload, DateTimeOffset receivedAt, ReplayCheckAccess? access,
        string? origin = null, CancellationToken ct = default, BatchSignatureProperties? signature = null)
    {
        try
        {
            BeforePrepare?.Invoke(topic);
            if (Topics.TryParseDictionary(topic, out var site, out var device, out var id)) return PrepareDictionary(topic, payload, receivedAt, site, device, id);
            if (Topics.TryParse(topic, out var parsed) && parsed.Kind == TopicKind.Status) return PrepareStatus(topic, payload, receivedAt, parsed);
            var check = access is not null && _replays is not null ? access : null;
            if (check is not null && parsed.Site is not null && (!_options.KnownDevicesOnly || Known(parsed.Site, parsed.Device)))
                await _replays!.KnowDeviceAsync(parsed.Site, parsed.Device, check, ct);
            return await PrepareBatchAsync(topic, payload, receivedAt, origin, check, signature ?? BatchSignatureProperties.None, ct);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or InfluxUnavailableException))
        {
            return InternalError(topic, payload, receivedAt, origin, ex);
        }
    }

    private async Task<PreparedMessage> PrepareBatchAsync(string topic, byte[] payload, DateTimeOffset receivedAt, string? origin, ReplayCheckAccess? check,
        BatchSignatureProperties signature, CancellationToken ct)
    {
        if (PrepareTaken(topic, payload, receivedAt, check is not null, signature) is { } taken)
        {
            _metrics.MessageReceived();
            return taken;
        }
        var result = BatchValidator.Validate(topic, payload, receivedAt, _limits, Dictionary);
        if (_options.KnownDevicesOnly && result.Topic is { } t && !Known(t.Site, t.Device))
            result = new ValidatedBatch(t, result.Batch, [], [new Rejection(RejectReason.UnknownDevice, $"{t.Site}/{t.Device} is not enrolled (Ingest:KnownDevicesOnly)")]);
        // Verified before anything of it is stored or accounted; refused whole, like any message-level rejection.
        var verified = false;
        if (result.Topic is { } a && result.Accepted.Count > 0 && SafeStream(result.Batch?.Stream) is { } signedStream)
        {
            var (first, last) = BatchSignature.SeqRange(result.Batch!.Samples!.Where(x => x is not null).Select(x => x.Seq));
            var outcome = _authenticator.Check(a.Site, a.Device, signedStream, first, last, payload, signature);
            if (outcome.Rejection is { } refused) result = new ValidatedBatch(a, result.Batch, [], [refused]);
            verified = outcome.Verified;
        }
        // Only a batch that repeats arrived seqs or reaches back into stored time is compared with InfluxDB.
        IReadOnlyList<SampleConflict> conflicts = [];
        if (check is not null && result.Topic is { } r && SafeStream(result.Batch?.Stream) is { } s && result.Accepted.Count > 0
            && !_replays!.IsFresh(r.Site, r.Device, s, SeqRanges.FromUnordered(result.Accepted.Select(a => a.Seq)),
                result.Accepted.Min(a => a.TimestampNs), result.Accepted.Max(a => a.TimestampNs)))
        {
            _metrics.ReplayChecked();
            var started = Stopwatch.GetTimestamp();
            conflicts = await _replays.FindConflictsAsync(r.Site, r.Device, s, result.Accepted, check, ct);
            if (_logger.IsEnabled(LogLevel.Debug))
                _logger.LogDebug("Compared {Count} samples of {Site}/{Device} (seqs {From}..{To}) with stored points in {Ms:F0} ms: {Conflicts} conflicts",
                    result.Accepted.Count, r.Site, r.Device, result.Accepted.Min(x => x.Seq), result.Accepted.Max(x => x.Seq), Stopwatch.GetElapsedTime(started).TotalMilliseconds, conflicts.Count);
        }
        _metrics.MessageReceived(); // counted once the message can no longer throw out of here unprepared
        return PrepareValidated(topic, payload, receivedAt, origin, result, conflicts, verified);
    }

    private PreparedMessage PrepareValidated(string topic, byte[] payload, DateTimeOffset receivedAt, string? origin, ValidatedBatch result, IReadOnlyList<SampleConflict> conflicts,
        bool verified)
    {
        if (result.Rejections is [{ Reason: RejectReason.UnknownDictionary } unknown] && result.Accepted.Count == 0)
        {
            // Not dead-lettered: the batch is valid, its dictionary is on its way (after a restart, the session's
            // queued batches arrive before the retained dictionaries). Acknowledged without a receipt, so the
            // agent sends it again when no receipt comes (agents send v2 only with receipts on).
            _metrics.Deferred();
            _logger.LogWarning("Deferred a batch from {Site}/{Device}: {Detail}; the agent re-sends it", result.Topic?.Site, result.Topic?.Device, unknown.Detail);
            // Its receipt names the seqs and the dictionary, so the agent re-publishes both at once rather than after its timeout.
            var deferred = WireV2.TryReadSeqs(payload, _limits.MaxSamplesPerBatch, _limits.MaxPayloadBytes * BatchValidator.MaxV2Expansion, out var dictionaryId, out var seqs);
            return new PreparedMessage(topic, payload, receivedAt, result.Topic, null, new LineBuffer(256), 0, 0, [], 0)
            {
                DeferredSeqs = deferred ? SeqRanges.FromUnordered(seqs) : [],
                MissingDictionary = deferred ? dictionaryId : null,
            };
        }
        var device = result.Topic;
        // The samples that would change stored evidence are dead-lettered; the rest of the batch is stored as usual, so an
        // honest re-send that mixes a seq stored (or refused) before with new samples loses none of the new ones.
        var conflicting = conflicts.Select(c => c.Offered).ToHashSet(ReferenceEqualityComparer.Instance);
        var storing = conflicts.Count == 0 ? result.Accepted : result.Accepted.Where(a => !conflicting.Contains(a)).ToList();
        // Sized for the usual ~300 B a sample; the pool hands back the buffer of an earlier message.
        var lines = new LineBuffer(Math.Max(1024, result.Accepted.Count * 320));
        var skew = ClockSkewSeconds(result, receivedAt);
        foreach (var sample in storing)
        {
            var point = SamplePoints.ToPoint(device!.Value.Site, device.Value.Device, sample);
            // Only a verified batch says so; an unsigned one leaves the field absent (no false, no new series).
            if (verified) point.Field(PointFlags.Signed, true);
            // A device clock far from ours: store the points as sent, but say so on each of them.
            if (skew is { } s) point.Field(PointFlags.ClockSkew, Math.Round(s, 3));
            LineProtocolWriter.Append(lines, point);
        }
        var rejections = conflicts.Count == 0 ? result.Rejections : [ConflictRecord.Rejection(conflicts, result.Accepted.Count), .. result.Rejections];
        if (origin is not null) rejections = rejections.Select(r => r with { Detail = $"{r.Detail} [{origin}]" }).ToList();
        var accepted = storing.Count;
        // Accounting last: everything above may still fail, and a failed message must not count as received.
        if (device is { } d && result.Batch?.Stream is { } stream && result.Accepted.Count + rejections.Count(r => r.Seq is not null) > 0
            && !Account(lines, d, stream, SeqRanges.FromUnordered(result.Accepted.Select(a => a.Seq).Concat(result.Rejections.Where(r => r.Seq is not null).Select(r => r.Seq!.Value))),
                storing, storing.Count > 0 ? (storing.Min(a => a.TimestampNs), storing.Max(a => a.TimestampNs)) : null, receivedAt))
        {
            lines.Clear();
            accepted = 0;
            rejections = [new Rejection(RejectReason.AccountingLimit, $"stream {stream} of {d.Site}/{d.Device} has more than the allowed number of gaps; the message was not stored" + (origin is null ? "" : $" [{origin}]"))];
        }
        if (accepted > 0 && device is { } storedBy && result.Batch?.Stream is { } storedStream)
            _replays?.Stored(storedBy.Site, storedBy.Device, storedStream, SeqRanges.FromUnordered(storing.Select(a => a.Seq)),
                storing.Min(a => a.TimestampNs), storing.Max(a => a.TimestampNs));
        foreach (var rejection in rejections)
        {
            _metrics.Reject(rejection.Code);
            _logger.LogWarning("Rejected {Reason} from {Site}/{Device} on {Topic}: {Detail}",
                rejection.Code, device?.Site ?? "?", device?.Device ?? "?", DeadLetterPoints.Printable(topic), DeadLetterPoints.Printable(rejection.Detail));
            var point = DeadLetterPoints.ToPoint(rejection, topic, device, SafeStream(result.Batch?.Stream), payload, receivedAt,
                fullPayload: rejection.Reason is RejectReason.ConflictingReplay or RejectReason.InvalidSignature or RejectReason.UnsignedBatch);
            // Both versions kept for review: what was offered and what is stored.
            if (rejection.Reason == RejectReason.ConflictingReplay) ConflictRecord.AddVersions(point, conflicts);
            LineProtocolWriter.Append(lines, point);
        }
        // A message-level rejection refuses every sample of the envelope; a conflicting replay, its conflicting samples.
        var messageLevel = accepted == 0 && rejections.Count == 1 && rejections[0].Seq is null;
        var refused = messageLevel ? Math.Max(1, result.Batch?.Samples?.Count ?? 0) : result.Rejections.Count + conflicts.Count;
        var (stored, rejected) = conflicts.Count > 0 && rejections is not [{ Reason: RejectReason.AccountingLimit }]
            ? (SeqRanges.FromUnordered(storing.Select(a => a.Seq)),
                SeqRanges.FromUnordered(conflicting.Cast<Sample>().Select(c => c.Seq).Concat(result.Rejections.Where(r => r.Seq is not null).Select(r => r.Seq!.Value))))
            : ReceiptSeqs(result, accepted > 0, messageLevel);
        return new PreparedMessage(topic, payload, receivedAt, device, SafeStream(result.Batch?.Stream), lines,
            accepted + rejections.Count + 1, accepted, rejections, refused)
        {
            StoredSeqs = stored,
            RejectedSeqs = rejected,
        };
    }

    /// <summary>
    /// The hot path: a batch <see cref="BatchTranscoder"/> takes whole (every sample valid, nothing to flag) goes
    /// from JSON or wire v2 to line protocol in one pass. Null for anything else (a v2 batch whose dictionary has not
    /// arrived among them): <see cref="BatchValidator"/> decides that.
    /// </summary>
    /// <param name="checkReplays">Decline a batch that is not provably fresh: the full path compares it with InfluxDB.</param>
    private PreparedMessage? PrepareTaken(string topic, byte[] payload, DateTimeOffset receivedAt, bool checkReplays, BatchSignatureProperties signature)
    {
        if (!Topics.TryParse(topic, out var device) || device.Kind == TopicKind.Status) return null;
        if (_options.KnownDevicesOnly && !Known(device.Site, device.Device)) return null;
        // A device with a key enrolled is stored only verified: its lines are written marked, then checked below.
        var signed = _authenticator.ExpectsSignature(device.Site, device.Device);
        // Line protocol is ~0.65 of the JSON, ~20-40 × a v2 batch (it grows if not); the pool hands back the buffer of an earlier message.
        var v2 = WireV2.IsV2(payload);
        var lines = new LineBuffer(Math.Clamp(v2 ? payload.Length * 24 : payload.Length * 3 / 4, 1024, 1 << 20));
        var seqs = new List<long>(Math.Max(4, v2 ? payload.Length / 8 : payload.Length / 300));
        if (!_transcoder.TryWrite(payload, device, BatchValidator.LatestNs(receivedAt, _limits), lines, seqs, out var taken, signed, id => Dictionary(device.Site, device.Device, id))
            || SkewBeyondLimit(taken.SentNs, receivedAt) is not null) // flagged points: the full path adds clock_skew
        {
            lines.Dispose();
            return null;
        }
        var (first, last) = BatchSignature.SeqRange(seqs);
        var outcome = _authenticator.Check(device.Site, device.Device, taken.Stream, first, last, payload, signature);
        if (outcome.Rejection is not null || outcome.Verified != signed)
        {
            lines.Dispose();
            return null; // the full path refuses it with its reason (or a registry change between the two looks: decided again)
        }
        var ranges = SeqRanges.FromUnordered(seqs);
        if (checkReplays && !_replays!.IsFresh(device.Site, device.Device, taken.Stream, ranges, taken.MinNs, taken.MaxNs))
        {
            lines.Dispose();
            return null;
        }
        if (!Account(lines, device, taken.Stream, ranges, [], (taken.MinNs, taken.MaxNs), receivedAt))
        {
            lines.Dispose();
            return null; // beyond the accounting bound: the full path dead-letters it with its reason
        }
        _replays?.Stored(device.Site, device.Device, taken.Stream, ranges, taken.MinNs, taken.MaxNs);
        return new PreparedMessage(topic, payload, receivedAt, device, taken.Stream, lines, taken.Samples + 1, taken.Samples, [], 0)
        {
            StoredSeqs = ranges,
        };
    }

    /// <summary>
    /// What a receipt may say of this message once written: the accepted sequence numbers stored,
    /// the rest dead-lettered. A message-level rejection (or a refused accounting) dead-letters
    /// every valid sequence number of the envelope.
    /// </summary>
    private static (List<(long From, long To)> Stored, List<(long From, long To)> Rejected) ReceiptSeqs(ValidatedBatch result, bool stored, bool messageLevel)
    {
        if (result.Topic is null || SafeStream(result.Batch?.Stream) is null) return ([], []);
        if (stored)
            return (SeqRanges.FromUnordered(result.Accepted.Select(a => a.Seq)),
                SeqRanges.FromUnordered(result.Rejections.Where(r => r.Seq is not null).Select(r => r.Seq!.Value)));
        var all = messageLevel
            ? (result.Batch?.Samples ?? []).Where(s => s is not null).Select(s => s.Seq)
            : result.Accepted.Select(a => a.Seq).Concat(result.Rejections.Where(r => r.Seq is not null).Select(r => r.Seq!.Value));
        return ([], SeqRanges.FromUnordered(all.Where(q => q is >= 1 and <= BatchValidator.MaxSeq).Distinct()));
    }

    private static string? SafeStream(string? stream) => BatchValidator.IsValidStream(stream) ? stream : null;

    private double? ClockSkewSeconds(ValidatedBatch result, DateTimeOffset receivedAt)
    {
        if (result.Accepted.Count == 0 || SkewBeyondLimit(result.Batch?.SentNs, receivedAt) is not { } skew) return null;
        _metrics.ClockSkewFlagged(result.Accepted.Count);
        _logger.LogWarning("Device clock of {Site}/{Device} is {Skew:F0} s off the receiver's; its points are flagged clock_skew",
            result.Topic?.Site, result.Topic?.Device, -skew);
        return skew;
    }

    /// <summary>The device clock's distance from ours in seconds when it exceeds Ingest:MaxClockSkewSeconds, else null.</summary>
    private double? SkewBeyondLimit(long? sentNs, DateTimeOffset receivedAt)
    {
        if (sentNs is not { } sent) return null;
        // In double: a hostile "sent" cannot overflow the subtraction.
        var skew = ((double)Time.ToUnixNanoseconds(receivedAt) - sent) / 1e9;
        return Math.Abs(skew) <= _options.MaxClockSkewSeconds ? null : skew;
    }

    /// <summary>Delivery accounting: which sequence numbers arrived, how many again, what the device evicted. False beyond the bound.</summary>
    /// <param name="ranges">The message's sequence numbers, accepted and rejected alike.</param>
    /// <param name="accepted">Its accepted samples, read for eviction counts and the device's health report.</param>
    /// <param name="storedNs">The earliest and latest sample time this message stores, if it stores any: every instance learns them
    /// from the record (ReplayGuard: the device's latest, and the stream's spans that batches split across instances fit between).</param>
    private bool Account(LineBuffer lines, DeviceTopic device, string stream, List<(long From, long To)> ranges, IReadOnlyList<Sample> accepted,
        (long Earliest, long Latest)? storedNs, DateTimeOffset receivedAt)
    {
        // An eviction event counts once: a replayed one (redelivery, import then sync) is a duplicate.
        long evicted = 0;
        foreach (var e in accepted.Where(a => a.Measurement == Measurements.BufferEviction && !_delivery.Has(device.Site, device.Device, stream, a.Seq)))
        {
            var n = e.Readings.FirstOrDefault(r => r.Name == "evicted")?.Value ?? 0;
            evicted += n is > 0 and < 1e15 ? (long)n : 0;
        }
        if (_delivery.Record(device.Site, device.Device, stream, ranges, receivedAt) is not { } duplicates) return false;
        if (duplicates > 0) _metrics.Duplicates(duplicates);
        if (storedNs is { } stored) _delivery.RaiseLatestStored(device.Site, device.Device, stored.Latest);
        if (evicted > 0)
        {
            _delivery.RecordEviction(device.Site, device.Device, stream, evicted);
            _metrics.DeviceEvicted(evicted);
        }
        // The run's running totals make the record mergeable by every instance (DeliveryTracker.Merge).
        var (arrived, evictedTotal) = _delivery.Totals(device.Site, device.Device, stream);
        var point = new Point(Measurements.Delivery, DeadLetterPoints.UniqueTimestamp(receivedAt))
            .Tag("site", device.Site).Tag("device", device.Device).Tag("stream", stream)
            .Field("ranges", SeqRanges.Format(ranges))
            .Field("count", ranges.Sum(r => r.To - r.From + 1))
            .Field("duplicates", duplicates)
            .Field("evicted", evicted)
            .Field("run", _delivery.Run)
            .Field("arrived", arrived)
            .Field("evicted_total", evictedTotal);
        if (storedNs is { } span) point.Field("earliest", span.Earliest).Field("latest", span.Latest);
        // The device's own count of what it still holds without a receipt (its latest health report).
        if (accepted.Where(a => a.Measurement == Measurements.AgentHealth).MaxBy(a => a.Seq) is { } health
            && health.Readings.FirstOrDefault(r => r.Name == "unreceipted")?.Value is double held and >= 0 and < 1e15
            && health.Readings.FirstOrDefault(r => r.Name == "oldest_unreceipted_seq")?.Value is double oldest and >= 1 and <= BatchValidator.MaxSeq)
        {
            _delivery.RecordHeld(device.Site, device.Device, stream, health.Seq, (long)held, (long)oldest);
            point.Field("held_report", health.Seq).Field("held", (long)held).Field("oldest_held", (long)oldest);
        }
        LineProtocolWriter.Append(lines, point);
        return true;
    }

    private ChannelDictionary? Dictionary(string site, string device, ulong id) =>
        _dictionaries.TryGetValue((site, device), out var byId) ? byId.Get(id) : null;

    /// <summary>A device's wire-v2 dictionary: checked against the id it was published under, then kept for its batches.</summary>
    private PreparedMessage PrepareDictionary(string topic, byte[] payload, DateTimeOffset receivedAt, string site, string device, ulong id)
    {
        var from = new DeviceTopic(site, device, TopicKind.Telemetry);
        if (payload.Length == 0) // a cleared retained message
            return new PreparedMessage(topic, payload, receivedAt, null, null, new LineBuffer(256), 0, 0, [], 0);
        Rejection? rejection = null;
        if (_options.KnownDevicesOnly && !Known(site, device))
            rejection = new Rejection(RejectReason.UnknownDevice, $"{site}/{device} is not enrolled (Ingest:KnownDevicesOnly)");
        else if (payload.Length > _limits.MaxPayloadBytes)
            rejection = new Rejection(RejectReason.Oversized, $"dictionary is {payload.Length} bytes; the limit is {_limits.MaxPayloadBytes}");
        else if (_dictionaries.GetOrAdd((site, device), _ => new(MaxDictionariesPerDevice)) is var byId && !byId.Contains(id))
        {
            if (WireV2.TryParseDictionary(payload, id, MaxSeriesPerDictionary, out var error) is { } dictionary)
                byId.Add(id, dictionary);
            else
                rejection = new Rejection(RejectReason.MalformedPayload, error!);
        }
        if (rejection is null) return new PreparedMessage(topic, payload, receivedAt, null, null, new LineBuffer(256), 0, 0, [], 0);
        _metrics.Reject(rejection.Code);
        _logger.LogWarning("Rejected {Reason} dictionary from {Site}/{Device}: {Detail}", rejection.Code, site, device, rejection.Detail);
        return new PreparedMessage(topic, payload, receivedAt, from, null,
            Lines(DeadLetterPoints.ToPoint(rejection, topic, from, null, payload, receivedAt)), 1, 0, [rejection], 0);
    }

    /// <summary>A device's retained online/offline message becomes a device_status point (fleet history).</summary>
    private PreparedMessage PrepareStatus(string topic, byte[] payload, DateTimeOffset receivedAt, DeviceTopic device)
    {
        _metrics.StatusReceived();
        var status = payload.Length == 0 || payload.Length > _limits.MaxPayloadBytes ? null : BatchCodec.TryDecodeStatus(payload);
        var known = !_options.KnownDevicesOnly || Known(device.Site, device.Device);
        if (payload.Length == 0) // a cleared retained message
            return new PreparedMessage(topic, payload, receivedAt, device, null, new LineBuffer(256), 0, 0, [], 0);
        if (status is null || status.State is not ("online" or "offline") || !known)
        {
            var rejection = !known
                ? new Rejection(RejectReason.UnknownDevice, $"{device.Site}/{device.Device} is not enrolled (Ingest:KnownDevicesOnly)")
                : new Rejection(RejectReason.MalformedJson, "status must be {\"v\":1,\"state\":\"online\"|\"offline\",…}");
            _metrics.Reject(rejection.Code);
            _logger.LogWarning("Rejected {Reason} status from {Site}/{Device}", rejection.Code, device.Site, device.Device);
            return new PreparedMessage(topic, payload, receivedAt, device, null,
                Lines(DeadLetterPoints.ToPoint(rejection, topic, device, null, payload, receivedAt)), 1, 0, [rejection], 0);
        }
        var point = new Point(Measurements.DeviceStatus, Time.ToUnixNanoseconds(receivedAt))
            .Tag("site", device.Site)
            .Tag("device", device.Device)
            .Field("state", status.State)
            .Field("online", status.State == "online");
        if (status.AgentVersion is { Length: > 0 and <= 32 } v) point.Field("agent", DeadLetterPoints.Printable(v));
        if (SafeStream(status.Stream) is { } s) point.Field("stream", s);
        return new PreparedMessage(topic, payload, receivedAt, device, null, Lines(point), 1, 0, [], 0);
    }

    private PreparedMessage InternalError(string topic, byte[] payload, DateTimeOffset receivedAt, string? origin, Exception ex)
    {
        Topics.TryParse(topic, out var parsed);
        DeviceTopic? device = parsed.Site is null ? null : parsed;
        var rejection = new Rejection(RejectReason.InternalError, $"{ex.GetType().Name}: {ex.Message}" + (origin is null ? "" : $" [{origin}]"));
        _metrics.Reject(rejection.Code);
        _logger.LogError(ex, "Ingest failed on a message from {Site}/{Device} on {Topic} ({Bytes} bytes); dead-lettered with its payload, ingest goes on",
            device?.Site ?? "?", device?.Device ?? "?", DeadLetterPoints.Printable(topic), payload.Length);
        var point = DeadLetterPoints.ToPoint(rejection, topic, device, null, payload, receivedAt, fullPayload: true);
        return new PreparedMessage(topic, payload, receivedAt, device, null, Lines(point), 1, 0, [rejection], 1);
    }

    private static LineBuffer Lines(Point point)
    {
        var lines = new LineBuffer(1024);
        LineProtocolWriter.Append(lines, point);
        return lines;
    }

    /// <summary>
    /// Writes prepared messages in one request (through <paramref name="retry"/>, which decides how long a
    /// transient failure is retried); if InfluxDB refuses points (400), message by message, and a refused
    /// message goes to the dead-letter store.
    /// </summary>
    public async Task StoreAsync(IReadOnlyList<PreparedMessage> batch, InfluxWriter writer,
        Func<Func<CancellationToken, Task>, CancellationToken, Task> retry, CancellationToken ct)
    {
        var bodies = new List<ReadOnlyMemory<byte>>(batch.Count);
        foreach (var b in batch)
            if (b.Lines.Length > 0) bodies.Add(b.Lines.Written);
        if (bodies.Count == 0) return;
        try
        {
            await retry(t => writer.WriteAsync(bodies, t), ct);
            _metrics.Stored(batch.Sum(b => b.Accepted));
        }
        catch (PointsRejectedException ex) when (batch.Count > 1)
        {
            _logger.LogWarning("InfluxDB refused a batch of {Count} messages ({Error}); writing them one by one", batch.Count, ex.Message);
            foreach (var item in batch) await StoreAsync([item], writer, retry, ct);
        }
        catch (PointsRejectedException ex)
        {
            var item = batch[0];
            _metrics.Reject("rejected_by_database");
            _logger.LogWarning("InfluxDB refused the points of {Topic} from {Site}/{Device}: {Error}",
                DeadLetterPoints.Printable(item.Topic), item.Device?.Site ?? "?", item.Device?.Device ?? "?", ex.Message);
            item.RefusedByDatabase = new Rejection(RejectReason.RejectedByDatabase, ex.Message);
            var point = DeadLetterPoints.ToPoint(item.RefusedByDatabase, item.Topic, item.Device, item.Stream, item.Payload, item.ReceivedAt, fullPayload: true);
            await retry(t => writer.WriteAsync(LineProtocolWriter.Write([point]), t), ct);
        }
    }
}
