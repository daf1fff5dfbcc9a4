namespace EdgeTelemetry.LineProtocol;

public enum FieldKind : byte { Float, Integer, String, Boolean }

/// <summary>A field value: float, integer, string or boolean, as line protocol distinguishes them (unboxed).</summary>
public readonly record struct FieldValue
{
    private readonly double _double;
    private readonly long _long;
    private readonly string? _string;

    private FieldValue(FieldKind kind, double d, long l, string? s) { Kind = kind; _double = d; _long = l; _string = s; }

    public FieldKind Kind { get; }
    public double Float => _double;
    public long Integer => _long;
    public string String => _string ?? "";
    public bool Boolean => _long != 0;

    /// <summary>The value as an object (boxes; for callers that inspect it, not for the write path).</summary>
    public object Value => Kind switch
    {
        FieldKind.Float => _double,
        FieldKind.Integer => _long,
        FieldKind.String => String,
        _ => Boolean,
    };

    public static implicit operator FieldValue(double v) => new(FieldKind.Float, v, 0, null);
    public static implicit operator FieldValue(long v) => new(FieldKind.Integer, 0, v, null);
    public static implicit operator FieldValue(string v) => new(FieldKind.String, 0, 0, v);
    public static implicit operator FieldValue(bool v) => new(FieldKind.Boolean, 0, v ? 1 : 0, null);
}

/// <summary>One InfluxDB point. Tags are kept sorted by key, as InfluxDB prefers.</summary>
public sealed class Point
{
    // A point has a handful of tags: a sorted list beats a SortedDictionary's node per tag.
    private readonly List<KeyValuePair<string, string>> _tags = new(4);
    private readonly List<KeyValuePair<string, FieldValue>> _fields = new(8);

    public Point(string measurement, long timestampNs)
    {
        if (string.IsNullOrEmpty(measurement)) throw new ArgumentException("measurement is empty", nameof(measurement));
        Measurement = measurement;
        TimestampNs = timestampNs;
    }

    public string Measurement { get; }
    public long TimestampNs { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Tags => _tags;
    public IReadOnlyList<KeyValuePair<string, FieldValue>> Fields => _fields;

    /// <summary>Adds a tag (replacing one of the same key); an empty value is skipped because line protocol cannot express it.</summary>
    public Point Tag(string key, string? value)
    {
        if (string.IsNullOrEmpty(value)) return this;
        var i = _tags.Count;
        while (i > 0 && string.CompareOrdinal(_tags[i - 1].Key, key) > 0) i--;
        if (i > 0 && _tags[i - 1].Key == key) _tags[i - 1] = new(key, value);
        else _tags.Insert(i, new(key, value));
        return this;
    }

    public Point Field(string key, FieldValue value)
    {
        if (value.Kind == FieldKind.Float && !double.IsFinite(value.Float))
            throw new ArgumentException($"field {key} is {value.Float}; line protocol has no NaN or infinity", nameof(value));
        _fields.Add(new(key, value));
        return this;
    }
}
