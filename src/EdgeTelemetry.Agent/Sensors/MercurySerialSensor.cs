using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Model;
using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.MercuryAnalyser;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// A mercury vapour analyser streaming ASCII readings on a serial port (Lumex RA-915 class in
/// ng/m³, Jerome J405 class in mg/m³), converted to µg/m³. Lines arrive at the instrument's pace;
/// each read returns the latest valid reading since the previous read. Self-checks (zero, test
/// cell, regeneration) and faults give no value — never zero.
/// </summary>
public sealed class MercurySerialSensor : ISensor, IDisposable
{
    private readonly SensorContext _ctx;
    private readonly string _name;
    private readonly MercuryLineParser _parser;
    private readonly MercuryAnalyserLineGenerator? _emulator;
    private readonly MercurySerialConnection? _serial;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private MercuryReading? _latest;
    private MercuryLineResult? _lastOther;

    public MercurySerialSensor(SensorOptions o, SensorContext ctx)
    {
        _ctx = ctx;
        _name = o.Name ?? "hg";
        var format = FormatFor(o.Format);
        _parser = new MercuryLineParser(format);
        if (ctx.Emulated)
        {
            _emulator = new MercuryAnalyserLineGenerator(format.DefaultUnit ?? MercuryConcentrationUnit.NanogramsPerCubicMetre);
        }
        else
        {
            _serial = MercurySerialConnection.Open(o.Port ?? throw new ArgumentException("port: is required"), o.Baud);
            _ = Task.Run(() => PumpAsync(new MercuryAnalyserReader(_serial.Reader, _parser), _stop.Token));
        }
    }

    public static MercuryLineFormat FormatFor(string? name) => name switch
    {
        null or "lumex_ra915" => MercuryLineFormat.LumexRa915,
        "jerome_j405" => MercuryLineFormat.JeromeJ405,
        _ => throw new ArgumentException($"format: '{name}' is not lumex_ra915 or jerome_j405"),
    };

    public string Measurement => _ctx.Measurement;
    public string Equipment => _ctx.Equipment;
    public TimeSpan Interval => _ctx.Interval;

    public ValueTask<IReadOnlyList<Reading>> ReadAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (_emulator is not null)
        {
            _emulator.SetConcentration(_ctx.Truth(_name, now));
            Accept(_parser.Parse(_emulator.NextLine()));
        }
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
                _ctx.Logger.LogInformation("{Equipment}: analyser reports {Status} ({Text}); no valid reading", Equipment, nr.Status, nr.StatusText);
            else if (other is MercuryParseError pe)
                _ctx.Logger.LogWarning("{Equipment}: unreadable analyser line {Line}: {Reason}", Equipment, pe.LineNumber, pe.Reason);
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
        catch (Exception ex)
        {
            _ctx.Logger.LogError(ex, "{Equipment}: serial port read failed; no further mercury readings", Equipment);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _serial?.Dispose();
    }
}
