using System.Runtime.CompilerServices;

namespace EdgeTelemetry.Sensors.MercuryAnalyser;

/// <summary>
/// Reads an analyser's line stream (a serial port in production, a <see cref="StringReader"/> in tests) and parses
/// each line. Blank lines are skipped; every other line yields exactly one result, malformed ones included.
/// </summary>
public sealed class MercuryAnalyserReader
{
    private readonly TextReader _reader;
    private readonly MercuryLineParser _parser;
    private long _lineNumber;

    /// <param name="reader">Line source.</param>
    /// <param name="parser">Parser for the instrument's format.</param>
    public MercuryAnalyserReader(TextReader reader, MercuryLineParser parser)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _parser = parser ?? throw new ArgumentNullException(nameof(parser));
    }

    /// <summary>Next non-blank line's result, or null at end of stream.</summary>
    public async ValueTask<MercuryLineResult?> ReadNextAsync(CancellationToken cancellationToken = default)
    {
        while (await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            _lineNumber++;
            if (!string.IsNullOrWhiteSpace(line.Trim('\0')))
            {
                return _parser.Parse(line, _lineNumber);
            }
        }

        return null;
    }

    /// <summary>All results until the stream ends or <paramref name="cancellationToken"/> fires.</summary>
    public async IAsyncEnumerable<MercuryLineResult> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadNextAsync(cancellationToken).ConfigureAwait(false) is { } result)
        {
            yield return result;
        }
    }
}
