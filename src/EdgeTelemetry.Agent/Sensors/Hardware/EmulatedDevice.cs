using System.Device.I2c;
using EdgeTelemetry.Sensors.Emulation;

namespace EdgeTelemetry.Agent.Sensors.Hardware;

/// <summary>
/// What stands in for a chip on emulated hardware: its register-level emulator, the feed that writes the plant's
/// values into it before each read, and the emulator's own time when sample windows are paced by it.
/// A driver module supplies one; <see cref="PiHardware"/> never asks for it.
/// </summary>
public sealed record EmulatedChip(I2cDevice Device, Action<DateTimeOffset> Feed, ManualClock? Time = null);

/// <summary>The emulated chip at <c>address</c>.</summary>
public delegate EmulatedChip I2cEmulation(int address);

/// <summary>What stands in for a serial instrument on emulated hardware: the line stream it sends and the feed that produces its lines from the plant.</summary>
public sealed record EmulatedInstrument(TextReader Lines, Action<DateTimeOffset> Feed);

/// <summary>The emulated instrument on a serial port.</summary>
public delegate EmulatedInstrument SerialEmulation();
