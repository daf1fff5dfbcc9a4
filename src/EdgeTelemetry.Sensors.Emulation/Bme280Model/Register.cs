namespace EdgeTelemetry.Sensors.Emulation.Bme280Model;

/// <summary>Register addresses (Bosch BST-BME280-DS002, §5.3 Memory map, §5.4 Register description).</summary>
public enum Register : byte
{
    /// <summary>First trimming register; 0x88–0xA1 hold dig_T1…dig_P9 and dig_H1 (§4.2.2, Table 16).</summary>
    CalibrationBlock1 = 0x88,

    /// <summary>Chip id, reads 0x60 on a BME280 (§5.4.1).</summary>
    ChipId = 0xD0,

    /// <summary>Soft reset: writing 0xB6 resets the device (§5.4.2).</summary>
    Reset = 0xE0,

    /// <summary>Second trimming block; 0xE1–0xE7 hold dig_H2…dig_H6 (§4.2.2, Table 16).</summary>
    CalibrationBlock2 = 0xE1,

    /// <summary>ctrl_hum, osrs_h[2:0]; takes effect only after the next write to ctrl_meas (§5.4.3).</summary>
    ControlHumidity = 0xF2,

    /// <summary>status: bit 3 measuring, bit 0 im_update (§5.4.4).</summary>
    Status = 0xF3,

    /// <summary>ctrl_meas: osrs_t[7:5], osrs_p[4:2], mode[1:0] (§5.4.5).</summary>
    ControlMeasurement = 0xF4,

    /// <summary>config: t_sb, filter, spi3w_en (§5.4.6).</summary>
    Config = 0xF5,

    /// <summary>press_msb; 0xF7–0xFE are read as one burst: press[19:0], temp[19:0], hum[15:0] (§5.4.7–5.4.9).</summary>
    PressureMsb = 0xF7,
}
