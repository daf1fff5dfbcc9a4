using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Core.Tests.LineProtocol;

public class LineProtocolWriterTests
{
    [Fact]
    public void Escapes_each_part_as_the_influxdb_docs_require()
    {
        var point = new Point("my measurement,x", 1700000000000000000)
            .Tag("tag key=1", "value, with=all \"quotes\"")
            .Field("field key", "say \"hi\" \\ bye")
            .Field("count", 42L)
            .Field("ok", true)
            .Field("ratio", 0.5);

        var line = LineProtocolWriter.Write([point]);

        Assert.Equal(
            "my\\ measurement\\,x,tag\\ key\\=1=value\\,\\ with\\=all\\ \"quotes\" field\\ key=\"say \\\"hi\\\" \\\\ bye\",count=42i,ok=true,ratio=0.5 1700000000000000000\n",
            line);
    }

    [Fact]
    public void Tags_are_written_in_key_order()
    {
        var line = LineProtocolWriter.Write([new Point("m", 1).Tag("z", "1").Tag("a", "2").Field("f", 1.0)]);
        Assert.StartsWith("m,a=2,z=1 ", line);
    }

    [Fact]
    public void Doubles_round_trip_and_use_invariant_culture()
    {
        var line = LineProtocolWriter.Write([new Point("m", 1).Field("f", 0.1 + 0.2).Field("g", 1e-7)]);
        Assert.Equal("m f=0.30000000000000004,g=1E-07 1\n", line);
    }

    [Fact]
    public void Non_finite_values_and_line_breaks_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Point("m", 1).Field("f", double.NaN));
        Assert.Throws<ArgumentException>(() => LineProtocolWriter.Write([new Point("m", 1).Tag("t", "a\nb").Field("f", 1.0)]));
    }

    [Fact]
    public void Sample_maps_to_a_point_whose_identity_depends_only_on_the_sample()
    {
        var sample = new Sample(5, 1_763_900_000_000_000_001, "centrifuge", "icon-1", [new Reading("bowl_speed", 400, Units.Rpm)]);
        var first = LineProtocolWriter.Write([SamplePoints.ToPoint("site-a", "dev-1", sample)]);
        var replay = LineProtocolWriter.Write([SamplePoints.ToPoint("site-a", "dev-1", sample)]);
        Assert.Equal("centrifuge,device=dev-1,equipment=icon-1,site=site-a bowl_speed=400,seq=5i 1763900000000000001\n", first);
        Assert.Equal(first, replay);
    }
}
