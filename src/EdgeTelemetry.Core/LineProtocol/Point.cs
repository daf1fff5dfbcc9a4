namespace EdgeTelemetry.LineProtocol;

/// <summary>A field value: float, integer, string or boolean, as line protocol distinguishes them.</summary>
public readonly record struct FieldValue
{
    private FieldValue(object value) => Value = value;
    public object Value { get; }
    public static implicit operator FieldValue(double v) => new(v);
    public static implicit operator FieldValue(long v) => new(v);
    public static implicit operator FieldValue(string v) => new(v);
    public static implicit operator FieldValue(bool v) => new(v);
}

/// <summary>One InfluxDB point. Tags are kept sorted by key, as InfluxDB prefers.</summary>
public sealed class Point
{
    private readonly SortedDictionary<string, string> _tags = new(StringComparer.Ordinal);
    private readonly List<KeyValuePair<string, FieldValue>> _fields = [];

    public Point(string measurement, long timestampNs)
    {
        if (string.IsNullOrEmpty(measurement)) throw new ArgumentException("measurement is empty", nameof(measurement));
        Measurement = measurement;
        TimestampNs = timestampNs;
    }

    public string Measurement { get; }
    public long TimestampNs { get; }
    public IEnumerable<KeyValuePair<string, string>> Tags => _tags;
    public IReadOnlyList<KeyValuePair<string, FieldValue>> Fields => _fields;

    /// <summary>Adds a tag; an empty value is skipped because line protocol cannot express it.</summary>
    public Point Tag(string key, string? value)
    {
        if (!string.IsNullOrEmpty(value)) _tags[key] = value;
        return this;
    }

    public Point Field(string key, FieldValue value)
    {
        if (value.Value is double d && !double.IsFinite(d))
            throw new ArgumentException($"field {key} is {d}; line protocol has no NaN or infinity", nameof(value));
        _fields.Add(new(key, value));
        return this;
    }
}
