using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.MercuryAnalyser;

namespace EdgeTelemetry.Agent.Sensors.MercuryAnalyser;

/// <summary>
/// A mercury vapour analyser streaming ASCII readings on a serial port (Lumex RA-915 class in
/// ng/m³, Jerome J405 class in mg/m³), converted to µg/m³. Lines arrive at the instrument's pace and are
/// parsed as they come; each read returns the latest valid reading since the previous read. Self-checks
/// (zero, test cell, regeneration) and faults give no value — never zero.
/// </summary>
public sealed class MercurySerialSensor : DriverSensor, IDisposable
{
    private readonly string _name;
    private readonly TextReader _lines;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private MercuryReading? _latest;
    private MercuryLineResult? _lastOther;

    /// <param name="lines">The instrument's line stream; owned (disposed) by this sensor.</param>
    public MercurySerialSensor(string name, SensorContext ctx, TextReader lines, MercuryLineFormat format)
        : base(ctx)
    {
        _name = name;
        _lines = lines;
        _ = Task.Run(() => PumpAsync(new MercuryAnalyserReader(lines, new MercuryLineParser(format)), _stop.Token));
    }

    public override ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        MercuryReading? reading;
        MercuryLineResult? other;
        lock (_lock)
        {
            (reading, other) = (_latest, _lastOther);
            (_latest, _lastOther) = (null, null);
        }
        if (reading is null)
        {
            if (other is MercuryNoReading nr)
                Ctx.Logger.LogInformation("{Equipment}: analyser reports {Status} ({Text}); no valid reading", Equipment, nr.Status, nr.StatusText);
            else if (other is MercuryParseError pe)
                Ctx.Logger.LogWarning("{Equipment}: unreadable analyser line {Line}: {Reason}", Equipment, pe.LineNumber, pe.Reason);
            return ValueTask.FromResult<IReadOnlyList<Reading>>([]);
        }
        return ValueTask.FromResult<IReadOnlyList<Reading>>([new Reading(_name, Math.Round(reading.MicrogramsPerCubicMetre, 4), Units.MicrogramPerCubicMetre)]);
    }

    private void Accept(MercuryLineResult result)
    {
        lock (_lock)
        {
            if (result is MercuryReading r) _latest = r;
            else _lastOther = result;
        }
    }

    private async Task PumpAsync(MercuryAnalyserReader reader, CancellationToken ct)
    {
        try
        {
            await foreach (var result in reader.ReadAllAsync(ct)) Accept(result);
        }
        catch (OperationCanceledException) { }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            Ctx.Logger.LogError(ex, "{Equipment}: serial port read failed; no further mercury readings", Equipment);
        }
        catch (Exception) { } // the port was closed by Dispose
    }

    public void Dispose()
    {
        _stop.Cancel();
        _lines.Dispose();
    }
}
