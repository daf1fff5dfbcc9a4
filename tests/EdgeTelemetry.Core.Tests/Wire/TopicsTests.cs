using EdgeTelemetry.Wire;

namespace EdgeTelemetry.Core.Tests.Wire;

public class TopicsTests
{
    [Fact]
    public void Topic_round_trips_through_parse()
    {
        var topic = Topics.For("md-huepetuhe", "centrifuge-01", TopicKind.Events);
        Assert.Equal("edgetelemetry/v1/md-huepetuhe/centrifuge-01/events", topic);
        Assert.True(Topics.TryParse(topic, out var parsed));
        Assert.Equal(new DeviceTopic("md-huepetuhe", "centrifuge-01", TopicKind.Events), parsed);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("edgetelemetry/v1/+/dev/telemetry")]
    [InlineData("edgetelemetry/v1/site/dev/telemetry/extra")]
    [InlineData("edgetelemetry/v1/site/dev/commands")]
    public void Foreign_topics_do_not_parse(string topic) => Assert.False(Topics.TryParse(topic, out _));

    [Fact]
    public void Unsafe_ids_are_refused_when_building_a_topic() =>
        Assert.Throws<ArgumentException>(() => Topics.For("site/#", "dev", TopicKind.Telemetry));
}
