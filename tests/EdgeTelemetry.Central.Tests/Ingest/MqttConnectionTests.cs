using EdgeTelemetry.Central.Ingest;
using MQTTnet;

namespace EdgeTelemetry.Central.Tests.Ingest;

public class MqttConnectionTests
{
    [Fact]
    public void The_broker_connection_asks_for_socket_buffers_far_larger_than_mqttnets_8_kib()
    {
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1883).Build();
        var tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        var library = tcp.BufferSize; // what MQTTnet would set on the socket by itself

        MqttIngestService.WithSocketBuffers(options, new IngestOptions());

        Assert.Equal(new IngestOptions().SocketBufferBytes, tcp.BufferSize);
        Assert.True(tcp.BufferSize >= 64 * library, $"{tcp.BufferSize} B against MQTTnet's {library} B");
    }

    [Fact]
    public void A_socket_buffer_of_zero_leaves_mqttnets_own_setting()
    {
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1883).Build();
        var library = ((MqttClientTcpOptions)options.ChannelOptions).BufferSize;

        MqttIngestService.WithSocketBuffers(options, new IngestOptions { SocketBufferBytes = 0 });

        Assert.Equal(library, ((MqttClientTcpOptions)options.ChannelOptions).BufferSize);
    }
}
