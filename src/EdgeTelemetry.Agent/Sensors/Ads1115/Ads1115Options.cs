using System.ComponentModel.DataAnnotations;
using EdgeTelemetry.Agent.Sensors.Hardware;

namespace EdgeTelemetry.Agent.Sensors.Ads1115;

/// <summary><c>driver: ads1115</c> — up to four inputs, each with its calibration to an engineering value. Default address 0x48 (ADDR to GND).</summary>
public sealed class Ads1115Options() : I2cSensorOptions(0x48)
{
    public List<AdcChannelOptions> Channels { get; set; } = [];
}

/// <summary>One ADS1115 input and how its voltage becomes an engineering value.</summary>
public sealed class AdcChannelOptions
{
    /// <summary>AIN0..AIN3, or a differential pair such as AIN0_AIN1.</summary>
    [Required, RegularExpression("^AIN[0-3](_AIN[13])?$")]
    public string Input { get; set; } = "";
    [Required]
    public string Name { get; set; } = "";
    [Required]
    public string Unit { get; set; } = "";
    /// <summary>PGA full scale: FS6144, FS4096, FS2048, FS1024, FS0512, FS0256.</summary>
    [AllowedValues("FS6144", "FS4096", "FS2048", "FS1024", "FS0512", "FS0256")]
    public string Range { get; set; } = "FS4096";
    [Required]
    public CalibrationOptions? Calibration { get; set; }
}

/// <summary>
/// current_loop (4–20 mA through a shunt, NAMUR NE43 faults), voltage_divider (0–10 V scaled down),
/// linear (gain, offset on volts), two_point, or polynomial (coefficients c0 + c1·v + c2·v² …).
/// </summary>
public sealed class CalibrationOptions
{
    [Required, AllowedValues("current_loop", "voltage_divider", "linear", "two_point", "polynomial")]
    public string Type { get; set; } = "";
    public string Unit { get; set; } = "";
    public double ShuntOhms { get; set; } = 150;
    public double? At4mA { get; set; }
    public double? At20mA { get; set; }
    /// <summary>Voltage divider ratio Vin/Vadc (e.g. 10 V → 3.3 V: 3.03).</summary>
    public double? DividerRatio { get; set; }
    /// <summary>For a divider: the value at 0 V and at full input voltage.</summary>
    public double? AtZeroVolts { get; set; }
    public double? AtFullScale { get; set; }
    public double? FullScaleVolts { get; set; }
    public double? Gain { get; set; }
    public double? Offset { get; set; }
    public double? Raw1 { get; set; }
    public double? Value1 { get; set; }
    public double? Raw2 { get; set; }
    public double? Value2 { get; set; }
    public List<double> Coefficients { get; set; } = [];
}
