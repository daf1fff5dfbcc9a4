namespace EdgeTelemetry.Sensors.Tests.MercuryAnalyser;

using EdgeTelemetry.Sensors.Emulation;
using EdgeTelemetry.Sensors.MercuryAnalyser;

public class MercuryAnalyserTests
{
    private readonly MercuryLineParser _lumex = new(MercuryLineFormat.LumexRa915);
    private readonly MercuryLineParser _jerome = new(MercuryLineFormat.JeromeJ405);

    [Theory]
    [InlineData(1, MercuryConcentrationUnit.NanogramsPerCubicMetre, 1000)]
    [InlineData(1, MercuryConcentrationUnit.MicrogramsPerCubicMetre, 1)]
    [InlineData(1, MercuryConcentrationUnit.MilligramsPerCubicMetre, 0.001)]
    public void Units_OneMicrogramIs1000NanogramsAndAThousandthOfAMilligram(double micrograms, MercuryConcentrationUnit unit, double inUnit)
    {
        Assert.Equal(inUnit, MercuryUnits.FromMicrogramsPerCubicMetre(micrograms, unit), 12);
        Assert.Equal(micrograms, MercuryUnits.ToMicrogramsPerCubicMetre(inUnit, unit), 12);
    }

    [Fact]
    public void Lumex_LineInNanograms_IsConvertedToMicrograms()
    {
        var reading = Assert.IsType<MercuryReading>(_lumex.Parse("12:00:01 153 ng/m3", 4));

        Assert.Equal(0.153, reading.MicrogramsPerCubicMetre, 12); // 153 / 1000
        Assert.Equal(MercuryConcentrationUnit.NanogramsPerCubicMetre, reading.RawUnit);
        Assert.Equal("12:00:01", reading.InstrumentTimestamp);
        Assert.Equal(4, reading.LineNumber);
    }

    [Fact]
    public void Lumex_NumberWithoutUnit_UsesTheNanogramDefault()
    {
        var reading = Assert.IsType<MercuryReading>(_lumex.Parse("2024-05-01 12:00:01; 2500"));

        Assert.Equal(2.5, reading.MicrogramsPerCubicMetre, 12);
    }

    [Theory]
    [InlineData("0.012 mg/m3", 12)]
    [InlineData("0,025", 25)]            // decimal comma, mg/m³ default
    [InlineData("09:15 0.5 ug/m3", 0.5)]
    [InlineData("0.5 µg/m³", 0.5)]       // micro sign U+00B5
    [InlineData("0.5 μg/m3", 0.5)]       // Greek mu U+03BC
    [InlineData("1.2e-2 mg/m3", 12)]
    public void Jerome_ReadingsInMilligramsOrMicrograms_AreConvertedToMicrograms(string line, double expected)
    {
        var reading = Assert.IsType<MercuryReading>(_jerome.Parse(line));

        Assert.Equal(expected, reading.MicrogramsPerCubicMetre, 9);
    }

    [Theory]
    [InlineData("12:00:05 ZERO CHECK 0.000", MercuryInstrumentStatus.ZeroCheck)]
    [InlineData("BLANK 0", MercuryInstrumentStatus.ZeroCheck)]
    [InlineData("12:00:07 TEST CELL 3120", MercuryInstrumentStatus.TestCell)]
    [InlineData("REGEN", MercuryInstrumentStatus.Regeneration)]
    [InlineData("Regenerating sensor...", MercuryInstrumentStatus.Regeneration)]
    [InlineData("WARM UP 120 s", MercuryInstrumentStatus.WarmUp)]
    [InlineData("FAULT E07 FLOW", MercuryInstrumentStatus.Fault)]
    [InlineData("ERR 3", MercuryInstrumentStatus.Fault)]
    public void StatusLines_AreNoValidReading_NeverZero(string line, MercuryInstrumentStatus status)
    {
        var result = _lumex.Parse(line);

        var noReading = Assert.IsType<MercuryNoReading>(result);
        Assert.Equal(status, noReading.Status);
    }

    [Theory]
    [InlineData("Time;Hg")]
    [InlineData("12:00:01 ### ng/m3")]
    [InlineData("\u0002\u0003")]
    [InlineData("153 furlongs")]
    [InlineData("NaN ng/m3")]
    public void MalformedLines_AreParseErrorsThatQuoteTheLine(string line)
    {
        var error = Assert.IsType<MercuryParseError>(_lumex.Parse(line, 17));

        Assert.Equal(17, error.LineNumber);
        Assert.False(string.IsNullOrEmpty(error.Reason));
    }

    [Fact]
    public void ParseError_ReasonNamesTheLineNumberAndText()
    {
        var error = Assert.IsType<MercuryParseError>(_lumex.Parse("12:00:01 ### ng/m3", 17));

        Assert.Contains("line 17", error.Reason);
        Assert.Contains("12:00:01 ### ng/m3", error.Reason);
    }

    [Fact]
    public async Task Reader_MalformedLinesMidStream_DoNotStopTheReader()
    {
        var lines = new[] { "12:00:00 140 ng/m3", "@@garbage@@", "", "12:00:02 ZERO CHECK", "12:00:03 160 ng/m3" };
        var reader = new MercuryAnalyserReader(MercuryAnalyserLineGenerator.ReaderOver(lines), _lumex);

        var results = new List<MercuryLineResult>();
        await foreach (var result in reader.ReadAllAsync())
        {
            results.Add(result);
        }

        Assert.Collection(results,
            r => Assert.Equal(0.14, Assert.IsType<MercuryReading>(r).MicrogramsPerCubicMetre, 12),
            r => Assert.Equal(2, Assert.IsType<MercuryParseError>(r).LineNumber),
            r => Assert.Equal(MercuryInstrumentStatus.ZeroCheck, Assert.IsType<MercuryNoReading>(r).Status),
            r => Assert.Equal(0.16, Assert.IsType<MercuryReading>(r).MicrogramsPerCubicMetre, 12));
    }

    [Theory]
    [InlineData("2025-01-01 10:00;0.004;mg/m3;OK", 4.0, null)]
    [InlineData("2025-01-01 10:00;0.000;mg/m3;ZERO", null, MercuryInstrumentStatus.ZeroCheck)]
    [InlineData("2025-01-01 10:00;0.004;mg/m3;XYZ", null, MercuryInstrumentStatus.Unknown)]
    public void DelimitedFormat_StatusColumn_DecidesWhetherTheValueCounts(string line, double? micrograms, MercuryInstrumentStatus? status)
    {
        var parser = new MercuryLineParser(MercuryLineFormat.Delimited(';', valueColumn: 1, unitColumn: 2, statusColumn: 3, timestampColumn: 0));

        var result = parser.Parse(line);

        if (micrograms is { } expected)
        {
            Assert.Equal(expected, Assert.IsType<MercuryReading>(result).MicrogramsPerCubicMetre, 9);
        }
        else
        {
            Assert.Equal(status, Assert.IsType<MercuryNoReading>(result).Status);
        }
    }

    [Fact]
    public void DelimitedFormat_WithoutDefaultUnit_AValueWithoutUnitIsAParseError()
    {
        var parser = new MercuryLineParser(MercuryLineFormat.Delimited(',', valueColumn: 0));

        Assert.IsType<MercuryParseError>(parser.Parse("0.004"));
    }

    [Fact]
    public void CustomPattern_WithoutAValueGroup_IsRejectedAtConstruction()
    {
        Assert.Throws<ArgumentException>(() => new MercuryLineParser(MercuryLineFormat.FromPattern(@"^(?<number>\d+)$", null)));
    }

    [Theory]
    [InlineData(MercuryConcentrationUnit.NanogramsPerCubicMetre, 0.2)] // ATSDR MRL
    [InlineData(MercuryConcentrationUnit.MilligramsPerCubicMetre, 25)] // ACGIH TLV-TWA
    public void GeneratorLines_RoundTripThroughTheParser(MercuryConcentrationUnit unit, double micrograms)
    {
        var generator = new MercuryAnalyserLineGenerator(unit, time: new ManualClock());
        generator.SetConcentration(micrograms);
        var parser = unit == MercuryConcentrationUnit.NanogramsPerCubicMetre ? _lumex : _jerome;

        var reading = Assert.IsType<MercuryReading>(parser.Parse(generator.NextLine()));
        generator.SetStatus(MercuryInstrumentStatus.TestCell);
        var selfCheck = Assert.IsType<MercuryNoReading>(parser.Parse(generator.NextLine()));

        Assert.Equal(micrograms, reading.MicrogramsPerCubicMetre, 9);
        Assert.Equal(MercuryInstrumentStatus.TestCell, selfCheck.Status);
    }
}
