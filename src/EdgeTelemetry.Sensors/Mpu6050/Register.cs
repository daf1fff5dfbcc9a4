namespace EdgeTelemetry.Sensors.Mpu6050;

/// <summary>Register addresses (InvenSense RM-MPU-6000A-00 "MPU-6000/6050 Register Map and Descriptions", rev 4.2).</summary>
public enum Register : byte
{
    /// <summary>SMPLRT_DIV (reg 25, §4.2): sample rate = gyro output rate / (1 + value).</summary>
    SampleRateDivider = 0x19,

    /// <summary>CONFIG (reg 26, §4.3): DLPF_CFG digital low-pass filter.</summary>
    Config = 0x1A,

    /// <summary>ACCEL_CONFIG (reg 28, §4.5): AFS_SEL in bits 4:3.</summary>
    AccelerometerConfig = 0x1C,

    /// <summary>ACCEL_XOUT_H (reg 59, §4.17); 0x3B–0x40 = X, Y, Z as big-endian signed 16-bit.</summary>
    AccelerometerXHigh = 0x3B,

    /// <summary>PWR_MGMT_1 (reg 107, §4.28): DEVICE_RESET bit 7, SLEEP bit 6 (set at power-on), CLKSEL bits 2:0.</summary>
    PowerManagement1 = 0x6B,

    /// <summary>WHO_AM_I (reg 117, §4.32): 0x68, whatever the AD0 pin.</summary>
    WhoAmI = 0x75,
}
