using EdgeTelemetry.Central.Storage;
using EdgeTelemetry.LineProtocol;
using EdgeTelemetry.LocalServers;
using Microsoft.Extensions.Options;

namespace EdgeTelemetry.IntegrationTests;

public class LineProtocolRoundTripTests
{
    public static readonly string[] Hostile =
    [
        "plain", "with space", "comma,here", "equals=sign", "\"double quotes\"", "it's", "a, b=c \"d\"",
        "µg/m³ über 🙂", "trailing space ", " leading", "=", ",", "tab\there",
    ];

    [Fact]
    public async Task Hostile_tag_values_field_keys_and_string_values_round_trip_through_influxd()
    {
        await using var influx = await InfluxDbServer.StartAsync();
        await influx.ExecuteAsync("CREATE DATABASE lp");
        var writer = new InfluxWriter(new HttpClient(), Options.Create(new InfluxOptions { Url = influx.Url.ToString(), Database = "lp" }));
        var points = Hostile.Select((value, i) => new Point("hostile measurement,x", 1_700_000_000_000_000_000 + i)
                .Tag("tag key=1", value)
                .Field("field key,=x", value + " \\ backslash \n newline")
                .Field("index", (long)i))
            .ToList();

        await writer.WriteAsync(LineProtocolWriter.Write(points), default);

        var series = await influx.QuerySeriesAsync("lp", "SELECT \"field key,=x\", \"index\" FROM \"hostile measurement,x\" GROUP BY \"tag key=1\"");
        Assert.Equal(Hostile.Length, series.Count);
        foreach (var s in series)
        {
            Assert.Equal("hostile measurement,x", s.Name);
            var row = Assert.Single(s.Rows);
            var value = Hostile[Convert.ToInt32(row[2])];
            Assert.Equal(value, s.Tags["tag key=1"]);
            Assert.Equal(value + " \\ backslash \n newline", row[1]);
        }
    }
}
