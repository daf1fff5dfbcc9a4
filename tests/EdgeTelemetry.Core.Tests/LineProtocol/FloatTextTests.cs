using System.Globalization;
using System.Text;
using EdgeTelemetry.LineProtocol;

namespace EdgeTelemetry.Core.Tests.LineProtocol;

public class FloatTextTests
{
    private static string Fast(double value)
    {
        Span<byte> buffer = stackalloc byte[32];
        return Encoding.ASCII.GetString(buffer[..FloatText.Write(value, buffer)]);
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.0)]
    [InlineData(1e-5)]
    [InlineData(9.99999e-6)]
    [InlineData(1e15)]
    [InlineData(999999999999999.0)]
    [InlineData(0.1 + 0.2)]
    [InlineData(1.005)]
    [InlineData(-273.15)]
    [InlineData(5e-324)]
    [InlineData(double.MaxValue)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(123456.789012345)]
    [InlineData(0.000123)]
    [InlineData(1e-4)]
    [InlineData(9.99e-5)]
    [InlineData(1e14)]
    [InlineData(1e13)]
    [InlineData(123456789012345.0)]
    [InlineData(100.0)]
    [InlineData(1000000.5)]
    public void Writes_exactly_what_round_trip_formatting_writes_at_the_edges(double value) => Assert.Equal(R(value), Fast(value));

    [Fact]
    public void Writes_exactly_what_round_trip_formatting_writes_for_sensor_decimals_and_for_any_double()
    {
        var rnd = new Random(20261207);
        for (var i = 0; i < 200_000; i++)
        {
            // A reading as sensors give it: an integer count of its resolution, at every magnitude and scale.
            var digits = rnd.Next(1, 17);
            var scaled = rnd.NextInt64((long)Math.Pow(10, digits - 1), (long)Math.Min(Math.Pow(10, digits), long.MaxValue / 2)) * (rnd.Next(2) == 0 ? -1 : 1);
            var decimals = rnd.Next(0, 12);
            var reading = scaled / Math.Pow(10, decimals);
            Assert.True(R(reading) == Fast(reading), $"{scaled} / 10^{decimals}: {R(reading)} vs {Fast(reading)}");
            // Any bit pattern (most are not short decimals, many are huge, tiny, subnormal or not finite).
            var any = BitConverter.Int64BitsToDouble(rnd.NextInt64(long.MinValue, long.MaxValue));
            Assert.True(R(any) == Fast(any), $"bits {BitConverter.DoubleToInt64Bits(any):x}: {R(any)} vs {Fast(any)}");
            // Arithmetic results, whose nearest short decimal is usually not the double itself.
            var computed = rnd.NextDouble() * Math.Pow(10, rnd.Next(-6, 16));
            Assert.True(R(computed) == Fast(computed), $"{R(computed)} vs {Fast(computed)}");
        }
    }
}
