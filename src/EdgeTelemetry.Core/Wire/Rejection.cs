namespace EdgeTelemetry.Wire;

/// <summary>Why a message or a sample was not stored. The code is a stable tag value in the dead-letter store.</summary>
public enum RejectReason
{
    Oversized,
    MalformedJson,
    UnknownField,
    UnsupportedVersion,
    BadTopic,
    DeviceMismatch,
    InvalidStream,
    EmptyBatch,
    InvalidSequence,
    TimestampOutOfRange,
    InvalidName,
    NonFiniteValue,
    UnknownUnit,
    UnitMismatch,
    RejectedByDatabase,
    ReservedMeasurement,
    UnknownMeasurement,
    UnknownDevice,
    AccountingLimit,
    InternalError,
    MalformedPayload,
    UnknownDictionary,
    /// <summary>A replay that would change stored values (same stream and seq, or same point); nothing of it is stored.</summary>
    ConflictingReplay,
    /// <summary>A signature that does not verify with an enrolled, unrevoked key of the device (or names no such key).</summary>
    InvalidSignature,
    /// <summary>No signature where one is required: the device has a key enrolled, or its site requires signatures.</summary>
    UnsignedBatch,
}

public sealed record Rejection(RejectReason Reason, string Detail, long? Seq = null)
{
    public string Code => Reason switch
    {
        RejectReason.Oversized => "oversized",
        RejectReason.MalformedJson => "malformed_json",
        RejectReason.UnknownField => "unknown_field",
        RejectReason.UnsupportedVersion => "unsupported_version",
        RejectReason.BadTopic => "bad_topic",
        RejectReason.DeviceMismatch => "device_mismatch",
        RejectReason.InvalidStream => "invalid_stream",
        RejectReason.EmptyBatch => "empty_batch",
        RejectReason.InvalidSequence => "invalid_sequence",
        RejectReason.TimestampOutOfRange => "timestamp_out_of_range",
        RejectReason.InvalidName => "invalid_name",
        RejectReason.NonFiniteValue => "non_finite_value",
        RejectReason.UnknownUnit => "unknown_unit",
        RejectReason.UnitMismatch => "unit_mismatch",
        RejectReason.RejectedByDatabase => "rejected_by_database",
        RejectReason.ReservedMeasurement => "reserved_measurement",
        RejectReason.UnknownMeasurement => "unknown_measurement",
        RejectReason.UnknownDevice => "unknown_device",
        RejectReason.AccountingLimit => "accounting_limit",
        RejectReason.InternalError => "internal_error",
        RejectReason.MalformedPayload => "malformed_payload",
        RejectReason.UnknownDictionary => "unknown_dictionary",
        RejectReason.ConflictingReplay => "conflicting_replay",
        RejectReason.InvalidSignature => "invalid_signature",
        RejectReason.UnsignedBatch => "unsigned_batch",
        _ => Reason.ToString(),
    };
}
