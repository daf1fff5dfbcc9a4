using EdgeTelemetry.Agent.Sensors.Hardware;

namespace EdgeTelemetry.Agent.Sensors.Bme280;

/// <summary><c>driver: bme280</c> — air temperature, humidity, pressure. Default address 0x76 (SDO to GND; 0x77 with SDO to VDDIO).</summary>
public sealed class Bme280Options() : I2cSensorOptions(0x76);
