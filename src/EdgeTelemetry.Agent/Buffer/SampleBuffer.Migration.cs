using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Agent.Buffer;

/// <summary>Taking over an older agent's SQLite buffer (see <see cref="LegacyBuffer"/>).</summary>
public sealed partial class SampleBuffer
{
    private Task ImportAsync(LegacyContent legacy, CancellationToken ct)
    {
        // The same stream and seqs: the central service sees a continuation, and drops what it already holds.
        _state.Stream = legacy.Stream;
        _state.NextSeq = legacy.MaxSeq + 1;
        _state.Evicted = legacy.Evicted;
        _state.Resent = legacy.Resent;
        _state.ReceiptRejected = legacy.ReceiptRejected;
        foreach (var (key, value) in legacy.Meta) _state.Meta[key] = value;
        _encoder = new WireV2Encoder(legacy.Stream, BufferAgentVersion);
        _dictionaryWritten = 0;
        // Records of consecutive seqs of one kind and clock, a few hundred at a time.
        var batch = new List<PlannedRecord>();
        PlannedRecord? current = null;
        foreach (var row in legacy.Rows)
        {
            ct.ThrowIfCancellationRequested();
            var boot = row.Clock == ClockState.Untrusted ? row.Sample.Clock?.BootId ?? "" : null;
            if (current is null || current.Kind != row.Sample.Kind || current.Boot != boot || current.Items[^1].Seq + 1 != row.Seq || current.Items.Count >= 500)
            {
                if (batch.Count >= 64) { Commit(batch); batch = []; }
                batch.Add(current = new PlannedRecord(row.Sample.Kind, boot, []));
            }
            current.Items.Add(row);
        }
        if (batch.Count > 0) Commit(batch);
        Persist();
        return Task.CompletedTask;
    }
}
