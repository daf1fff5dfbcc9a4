using System.Buffers.Text;
using System.Globalization;

namespace EdgeTelemetry.LineProtocol;

/// <summary>
/// A float field's text, byte for byte what <c>double.TryFormat(…, "R")</c> writes, without its shortest-digits search
/// for the values sensors produce: a value that is exactly the nearest double to s / 10^d, with |s| &lt; 10^15 and d ≤ 9,
/// is written as that decimal. That is the round-trip ("R") text: a decimal of at most 15 significant digits is the
/// only one of that length that maps to its double, so no shorter text round-trips; the first d that fits has no
/// trailing zeros; and "R" uses plain notation from 1e-4 up to 1e15. Everything else goes to "R" itself. Formatting
/// doubles was ~14 % of the central's CPU at 10 samples a message (perf, docs/benchmarks.md §6).
/// </summary>
public static class FloatText
{
    private static readonly double[] Pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
    private static readonly long[] Pow10Long = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

    /// <summary>Writes the value's "R" text to <paramref name="destination"/> (32 bytes always suffice).</summary>
    public static int Write(double value, Span<byte> destination)
    {
        if (TryWriteDecimal(value, destination, out var n)) return n;
        value.TryFormat(destination, out n, "R", CultureInfo.InvariantCulture);
        return n;
    }

    private static bool TryWriteDecimal(double value, Span<byte> destination, out int written)
    {
        written = 0;
        var a = Math.Abs(value);
        // Zero is left to "R" (it writes -0.0 as "-0"); below 1e-4 "R" switches to exponent notation.
        if (!(a >= 1e-4 && a < 1e15)) return false;
        for (var d = 0; d < Pow10.Length; d++)
        {
            var m = Math.Round(a * Pow10[d]); // the product may round off an integer (273.15 * 100 = 27314.999…)
            if (m >= 1e15) return false;
            var s = (long)m;
            if (s / Pow10[d] != a) continue;
            var at = 0;
            if (value < 0) destination[at++] = (byte)'-';
            Utf8Formatter.TryFormat(s / Pow10Long[d], destination[at..], out var digits);
            at += digits;
            if (d > 0)
            {
                destination[at++] = (byte)'.';
                var fraction = s % Pow10Long[d];
                // Leading zeros of the fraction, then its digits (it has no trailing zeros: a smaller d would have fitted).
                for (var z = d - 1; z > 0 && fraction < Pow10Long[z]; z--) destination[at++] = (byte)'0';
                Utf8Formatter.TryFormat(fraction, destination[at..], out digits);
                at += digits;
            }
            written = at;
            return true;
        }
        return false;
    }
}
