using System.IO.Ports;
using System.Text;

namespace EdgeTelemetry.Sensors.MercuryAnalyser;

/// <summary>
/// Opens the analyser's RS-232 (usually via a USB adapter, /dev/ttyUSB0) and exposes it as a
/// <see cref="TextReader"/> for <see cref="MercuryAnalyserReader"/>. Latin-1 decoding keeps byte 0xB5 as "µ".
/// </summary>
public sealed class MercurySerialConnection : IDisposable
{
    private MercurySerialConnection(SerialPort port)
    {
        Port = port;
        Reader = new StreamReader(port.BaseStream, Encoding.Latin1, detectEncodingFromByteOrderMarks: false);
    }

    /// <summary>The open port.</summary>
    public SerialPort Port { get; }

    /// <summary>Line reader over the port's stream.</summary>
    public TextReader Reader { get; }

    /// <summary>Opens <paramref name="portName"/> with the instrument's settings (see its manual; 9600 8N1 is common).</summary>
    public static MercurySerialConnection Open(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One)
    {
        var port = new SerialPort(portName, baudRate, parity, dataBits, stopBits) { Handshake = Handshake.None };
        port.Open();
        return new MercurySerialConnection(port);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Reader.Dispose();
        Port.Dispose();
    }
}
