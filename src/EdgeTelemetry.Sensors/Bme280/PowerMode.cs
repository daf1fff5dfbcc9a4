namespace EdgeTelemetry.Sensors.Bme280;

/// <summary>mode[1:0] of ctrl_meas (BST-BME280-DS002 §3.3, §5.4.5).</summary>
public enum PowerMode : byte
{
    /// <summary>No measurements; all registers accessible. Reset state.</summary>
    Sleep = 0b00,

    /// <summary>One measurement, then back to sleep (01 and 10 both mean forced).</summary>
    Forced = 0b01,

    /// <summary>Continuous cycling with standby t_sb between measurements.</summary>
    Normal = 0b11,
}
