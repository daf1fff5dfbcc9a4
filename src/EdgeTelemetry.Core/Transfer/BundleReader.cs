using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeTelemetry.Wire;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Transfer;

/// <summary>
/// One envelope of a bundle (v1 JSON or a wire-v2 batch), the topic kind it belongs to and the line it came from; or,
/// with <see cref="DictionaryId"/>, a wire-v2 dictionary the batches after it name.
/// </summary>
/// <param name="Signature">The device's signature over the envelope, as MQTT would carry it (absent in an unsigned bundle).</param>
public sealed record BundleEntry(long Line, TopicKind Kind, byte[] Envelope, BatchSignatureProperties? Signature = null, ulong? DictionaryId = null);

/// <summary>A bundle whose checksum, structure and header were verified (<see cref="BundleReader.VerifyAsync"/>).</summary>
public sealed record VerifiedBundle(string Path, BundleHeader Header, string Sha256, long Envelopes, long Lines);

/// <summary>
/// Reads bundles in two streaming passes, so a bundle of any size needs memory for one line only:
/// <see cref="VerifyAsync"/> checks everything — gzip integrity, the SHA-256 trailer, every line's
/// structure, and that the header's counts, kinds and sequence numbers are what the envelopes hold —
/// before the caller writes anything (a bundle is one gzip member, whose footer must be complete); <see cref="ReadEntriesAsync"/> then hands out the envelopes
/// (and fails if the file changed in between). Every problem is a <see cref="BundleFormatException"/>
/// naming the file and the line.
/// </summary>
public static class BundleReader
{
    /// <summary>No line of a bundle is longer (an envelope is at most a few hundred KiB).</summary>
    public const int MaxLineBytes = 8 * 1024 * 1024;

    public static async Task<VerifiedBundle> VerifyAsync(string path, CancellationToken ct = default)
    {
        var scan = new Scan(path, verified: null);
        await foreach (var _ in scan.RunAsync(ct)) { }
        return scan.Result!;
    }

    /// <summary>The envelopes of a verified bundle, in file order.</summary>
    public static IAsyncEnumerable<BundleEntry> ReadEntriesAsync(VerifiedBundle bundle, CancellationToken ct = default) =>
        new Scan(bundle.Path, bundle).RunAsync(ct);

    private sealed class Scan(string path, VerifiedBundle? verified)
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private BundleHeader? _header;
        private (long Line, string Text)? _problem; // the first structural problem; a checksum failure outranks it
        private long _telemetry, _events, _envelopes;
        private readonly List<long> _seqs = [];

        public VerifiedBundle? Result { get; private set; }

        public async IAsyncEnumerable<BundleEntry> RunAsync([EnumeratorCancellation] CancellationToken ct)
        {
            _header = verified?.Header;
            (long No, byte[] Bytes)? pending = null; // the last line read; the final one is the trailer
            await foreach (var (no, line, terminated) in LinesAsync(ct))
            {
                if (!terminated)
                    throw new BundleFormatException(path, no, "the last line is cut off (no line end): the bundle is truncated");
                if (pending is { } p && Content(p.No, p.Bytes) is { } entry) yield return entry;
                pending = (no, line);
            }
            Finish(pending);
        }

        /// <summary>A line before the trailer: hashed, then parsed as the header or an envelope.</summary>
        private BundleEntry? Content(long no, byte[] line)
        {
            _sha.AppendData(line);
            _sha.AppendData(Bundle.Newline);
            if (no == 1)
            {
                if (verified is null) _header = ParseHeader(line);
                return null;
            }
            var entry = ParseEntry(no, line);
            if (entry is null && verified is not null) throw new BundleFormatException(path, no, _problem!.Value.Text);
            return entry;
        }

        private void Finish((long No, byte[] Bytes)? last)
        {
            if (last is not { } trailerLine)
                throw new BundleFormatException(path, 1, "the bundle is empty: no header line");
            if (trailerLine.No == 1)
                throw new BundleFormatException(path, 1, "only a header line, no envelopes and no checksum line: the bundle is truncated");
            var claimed = ParseTrailer(trailerLine.Bytes);
            var actual = Convert.ToHexStringLower(_sha.GetHashAndReset());
            var firstBad = _problem is { } p ? $" (first unreadable line: {p.Line})" : "";
            if (claimed is null)
                throw new BundleFormatException(path, trailerLine.No,
                    $"the last line is not the checksum line {{\"sha256\":\"…\"}}: the bundle is truncated{firstBad}");
            if (!string.Equals(claimed, actual, StringComparison.Ordinal))
                throw new BundleFormatException(path, trailerLine.No,
                    $"checksum mismatch: the content hashes to sha256 {actual}, the bundle says {claimed}: the bundle is damaged{firstBad}");
            if (verified is not null)
            {
                if (actual != verified.Sha256)
                    throw new BundleFormatException(path, trailerLine.No, "the bundle changed while it was being imported");
                return;
            }
            if (_problem is { } problem) throw new BundleFormatException(path, problem.Line, problem.Text);
            CheckHeaderAgainstContent(_header!);
            Result = new VerifiedBundle(path, _header!, actual, _envelopes, trailerLine.No);
        }

        private BundleHeader? ParseHeader(byte[] line)
        {
            BundleHeader? header;
            try
            {
                header = JsonSerializer.Deserialize(line, BundleJsonContext.Default.BundleHeader);
            }
            catch (JsonException ex)
            {
                return Problem<BundleHeader>(1, $"not a bundle header ({ex.Message})");
            }
            if (header is null) return Problem<BundleHeader>(1, "not a bundle header (null)");
            if (header.Format != BundleHeader.FormatName)
                return Problem<BundleHeader>(1, $"format '{header.Format}' is not {BundleHeader.FormatName}");
            if (header.Version is < BundleHeader.OldestVersion or > BundleHeader.CurrentVersion)
                return Problem<BundleHeader>(1, $"bundle version {header.Version} is not supported (this reader knows versions {BundleHeader.OldestVersion}-{BundleHeader.CurrentVersion})");
            if (!Topics.IsValidId(header.Site) || !Topics.IsValidId(header.Device))
                return Problem<BundleHeader>(1, $"site '{header.Site}' / device '{header.Device}' must match [a-z0-9][a-z0-9_-]{{0,63}}");
            if (!BatchValidator.IsValidStream(header.Stream)) return Problem<BundleHeader>(1, "the header's stream id must be 1-64 characters of A-Z, a-z, 0-9 and '-'");
            return header;
        }

        private static string? ParseTrailer(byte[] line)
        {
            try
            {
                var trailer = JsonSerializer.Deserialize(line, BundleJsonContext.Default.BundleTrailer);
                return trailer is { Sha256.Length: 64 } ? trailer.Sha256 : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>{"kind":"telemetry"|"events","batch":{envelope}}; the envelope must be the header's site, device and stream.</summary>
        private BundleEntry? ParseEntry(long no, byte[] line)
        {
            if (_header is null) return null; // the header's problem is reported
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return Problem<BundleEntry>(no, "expected {\"kind\":…,\"batch\":{…}}");
                TopicKind? kind = null;
                JsonElement batch = default;
                string? v2 = null, dictionary = null, sig = null, kid = null;
                foreach (var member in root.EnumerateObject())
                {
                    switch (member.Name)
                    {
                        case "v2" when _header.Version >= 2 && member.Value.ValueKind == JsonValueKind.String:
                            v2 = member.Value.GetString();
                            break;
                        case "dictionary" when _header.Version >= 2 && member.Value.ValueKind == JsonValueKind.String:
                            dictionary = member.Value.GetString();
                            break;
                        case "kind":
                            kind = member.Value.ValueKind != JsonValueKind.String ? null : member.Value.GetString() switch
                            {
                                "telemetry" => TopicKind.Telemetry,
                                "events" => TopicKind.Events,
                                _ => null,
                            };
                            if (kind is null) return Problem<BundleEntry>(no, "\"kind\" must be \"telemetry\" or \"events\"");
                            break;
                        case "batch":
                            batch = member.Value;
                            break;
                        case "sig" or "kid" when member.Value.ValueKind == JsonValueKind.String:
                            if (member.Name == "sig") sig = member.Value.GetString(); else kid = member.Value.GetString();
                            break;
                        default:
                            return Problem<BundleEntry>(no, $"unknown member \"{member.Name}\" (expected kind, batch, and sig and kid if signed)");
                    }
                }
                if (dictionary is not null)
                    return kind is null && v2 is null && sig is null && kid is null && batch.ValueKind == JsonValueKind.Undefined ? ParseDictionary(no, dictionary)
                        : Problem<BundleEntry>(no, "a dictionary line has only \"dictionary\"");
                var signature = sig is null && kid is null ? null : new BatchSignatureProperties(sig, kid);
                if (kind is not null && v2 is not null && batch.ValueKind == JsonValueKind.Undefined) return ParseV2(no, kind.Value, v2, signature);
                if (kind is null || batch.ValueKind != JsonValueKind.Object)
                    return Problem<BundleEntry>(no, "expected {\"kind\":…,\"batch\":{…}}" + (_header.Version >= 2 ? ", {\"kind\":…,\"v2\":\"…\"} or {\"dictionary\":\"…\"}" : ""));

                string? Text(string name) => batch.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                var (site, device, stream) = (Text("site"), Text("device"), Text("stream"));
                if (site != _header.Site || device != _header.Device || stream != _header.Stream)
                    return Problem<BundleEntry>(no, $"the envelope is for {site}/{device} stream {stream}; the header says {_header.Site}/{_header.Device} stream {_header.Stream}");
                if (!batch.TryGetProperty("samples", out var samples) || samples.ValueKind != JsonValueKind.Array)
                    return Problem<BundleEntry>(no, "the envelope has no samples array");
                var count = 0;
                foreach (var s in samples.EnumerateArray())
                {
                    if (s.ValueKind != JsonValueKind.Object || !s.TryGetProperty("seq", out var seq) || !seq.TryGetInt64(out var value))
                        return Problem<BundleEntry>(no, "a sample without an integer seq");
                    if (verified is null) _seqs.Add(value);
                    count++;
                }
                if (kind == TopicKind.Events) _events += count; else _telemetry += count;
                _envelopes++;
                return new BundleEntry(no, kind.Value, JsonMarshal.GetRawUtf8Value(batch).ToArray(), signature);
            }
            catch (JsonException ex)
            {
                return Problem<BundleEntry>(no, $"not a JSON line ({ex.Message})");
            }
        }

        /// <summary>Dictionaries seen so far (by content id); a v2 line must name one of them.</summary>
        private readonly HashSet<ulong> _dictionaries = [];
        private const int MaxDictionaries = 64;

        private BundleEntry? ParseDictionary(long no, string base64)
        {
            var bytes = Base64(base64);
            if (bytes is null) return Problem<BundleEntry>(no, "the dictionary is not base64");
            ChannelDictionary d;
            try { d = ChannelDictionary.Parser.ParseFrom(bytes); }
            catch (Google.Protobuf.InvalidProtocolBufferException ex) { return Problem<BundleEntry>(no, $"not a wire-v2 dictionary ({ex.Message})"); }
            var stream = d.StreamIdCase == ChannelDictionary.StreamIdOneofCase.StreamHex ? Convert.ToHexStringLower(d.StreamHex.Span) : d.Stream;
            if (stream != _header!.Stream)
                return Problem<BundleEntry>(no, $"the dictionary is for stream {stream}; the header says stream {_header.Stream}");
            if (_dictionaries.Count >= MaxDictionaries) return Problem<BundleEntry>(no, $"more than {MaxDictionaries} dictionaries");
            var id = WireV2.IdOf(d);
            _dictionaries.Add(id);
            return new BundleEntry(no, TopicKind.Telemetry, bytes, DictionaryId: id);
        }

        private BundleEntry? ParseV2(long no, TopicKind kind, string base64, BatchSignatureProperties? signature)
        {
            var bytes = Base64(base64);
            if (bytes is null) return Problem<BundleEntry>(no, "the v2 batch is not base64");
            // Its seqs are read without the dictionary; the dictionary is checked to have come before (its content, on import).
            if (!WireV2.TryReadSeqs(bytes, 100_000, MaxLineBytes * BatchValidator.MaxV2Expansion, out var id, out var seqs))
                return Problem<BundleEntry>(no, "not a wire-v2 batch (or its seqs are out of range)");
            if (!_dictionaries.Contains(id))
                return Problem<BundleEntry>(no, $"the v2 batch names dictionary {WireV2.TopicId(id)}, which no line before it holds");
            if (verified is null) _seqs.AddRange(seqs);
            if (kind == TopicKind.Events) _events += seqs.Count; else _telemetry += seqs.Count;
            _envelopes++;
            return new BundleEntry(no, kind, bytes, signature);
        }

        private static byte[]? Base64(string text)
        {
            try { return Convert.FromBase64String(text); }
            catch (FormatException) { return null; }
        }

        private void CheckHeaderAgainstContent(BundleHeader h)
        {
            _seqs.Sort();
            for (var i = 1; i < _seqs.Count; i++)
                if (_seqs[i] == _seqs[i - 1])
                    throw new BundleFormatException(path, 1, $"seq {_seqs[i]} appears more than once in the envelopes");
            var (first, last) = _seqs.Count == 0 ? (0L, 0L) : (_seqs[0], _seqs[^1]);
            var ranges = SeqRanges.Format(_seqs);
            if (h.Samples != _seqs.Count || h.FirstSeq != first || h.LastSeq != last || h.Seqs != ranges
                || h.Kinds.Telemetry != _telemetry || h.Kinds.Events != _events)
                throw new BundleFormatException(path, 1,
                    $"the header says {h.Samples} samples (seq {h.FirstSeq}-{h.LastSeq}, telemetry {h.Kinds.Telemetry}, events {h.Kinds.Events}), " +
                    $"the envelopes hold {_seqs.Count} (seq {first}-{last}, telemetry {_telemetry}, events {_events})" +
                    (h.Seqs != ranges ? $"; seqs '{Shorten(h.Seqs)}' vs '{Shorten(ranges)}'" : ""));
        }

        private T? Problem<T>(long line, string text) where T : class
        {
            _problem ??= (line, text);
            return null;
        }

        private static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";

        /// <summary>The uncompressed content split at '\n'; the last element is unterminated if the content does not end in '\n'.</summary>
        private async IAsyncEnumerable<(long No, byte[] Line, bool Terminated)> LinesAsync([EnumeratorCancellation] CancellationToken ct)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var gzip = new GZipStream(file, CompressionMode.Decompress);
            var buffer = new byte[1 << 16];
            int start = 0, end = 0;
            long no = 0, total = 0;
            while (true)
            {
                int newline;
                while ((newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n')) >= 0)
                {
                    yield return (++no, buffer.AsSpan(start, newline).ToArray(), true);
                    start += newline + 1;
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    if (buffer.Length >= MaxLineBytes)
                        throw new BundleFormatException(path, no + 1, $"a line longer than {MaxLineBytes} bytes: not a bundle");
                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxLineBytes));
                }
                var read = await ReadAsync(gzip, buffer.AsMemory(end), no, ct);
                if (read == 0) break;
                end += read;
                total += read;
            }
            // GZipStream ends quietly when the file stops inside the gzip footer (CRC-32, length), so a
            // file cut by a few bytes would pass with intact content; the footer's length must match.
            var footer = new byte[4];
            if (file.Length < 18 || await RandomAccess.ReadAsync(file.SafeFileHandle, footer, file.Length - 4, ct) != 4
                || BinaryPrimitives.ReadUInt32LittleEndian(footer) != (uint)total)
                throw new BundleFormatException(path, no + 1, "the gzip stream ends early (its footer is missing or wrong): the bundle is truncated");
            if (end > 0) yield return (no + 1, buffer.AsSpan(0, end).ToArray(), false);
        }

        private async Task<int> ReadAsync(GZipStream gzip, Memory<byte> into, long linesSoFar, CancellationToken ct)
        {
            try
            {
                return await gzip.ReadAsync(into, ct);
            }
            catch (InvalidDataException ex)
            {
                var where = linesSoFar == 0 ? "not a gzip stream or damaged at its start" : $"gzip data damaged or cut short after line {linesSoFar}";
                throw new BundleFormatException(path, linesSoFar + 1, $"{where} ({ex.Message}): the bundle is damaged or truncated");
            }
        }
    }
}
