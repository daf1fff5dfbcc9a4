using EdgeTelemetry.Dashboards.Tests.InfluxQl;

namespace EdgeTelemetry.Dashboards.Tests;

/// <summary>The reference checker must catch what it claims to catch, or the data-model test proves nothing.</summary>
public class InfluxQlReferencesTests
{
    private const string Time = "time >= 1700000000000ms and time <= 1700003600000ms";

    [Fact]
    public void A_well_formed_panel_query_has_no_problems_and_lists_its_measurement()
    {
        var r = InfluxQlReferences.Check($"SELECT mean(\"bowl_speed\") AS \"rpm\", last(bowl_g) FROM \"centrifuge\" WHERE \"site\" =~ /^(a|b)$/ AND {Time} GROUP BY time(10s), \"site\", \"equipment\" fill(null)");
        Assert.Empty(r.Problems);
        Assert.Equal(["centrifuge"], r.Measurements);
        Assert.Contains(("centrifuge", "bowl_speed"), r.Keys);
        Assert.Contains(("centrifuge", "bowl_g"), r.Keys);
        Assert.DoesNotContain(r.Keys, k => k.Key is "rpm" or "mean" or "last" or "time");
    }

    [Fact]
    public void A_field_the_data_model_does_not_define_is_reported()
    {
        var problems = InfluxQlReferences.Problems($"SELECT mean(\"bowl_sped\") FROM \"centrifuge\" WHERE {Time}");
        Assert.Contains(problems, p => p.Contains("bowl_sped"));
    }

    [Fact]
    public void A_field_of_another_measurement_is_reported()
    {
        Assert.Contains(InfluxQlReferences.Problems("SELECT \"hg\" FROM \"centrifuge\""), p => p.Contains("'hg'"));
    }

    [Fact]
    public void An_undefined_measurement_is_reported()
    {
        Assert.Contains(InfluxQlReferences.Problems("SELECT \"x\" FROM \"centrifug\""), p => p.Contains("measurement 'centrifug'"));
    }

    [Fact]
    public void Where_clause_names_must_be_tags_or_fields_and_group_by_names_must_be_tags()
    {
        Assert.Contains(InfluxQlReferences.Problems("SELECT \"hg\" FROM \"mercury_vapour\" WHERE \"location\" = 'x'"), p => p.Contains("location"));
        Assert.Contains(InfluxQlReferences.Problems("SELECT \"hg\" FROM \"mercury_vapour\" GROUP BY \"hg\""), p => p.Contains("GROUP BY 'hg'"));
        Assert.Empty(InfluxQlReferences.Problems("SELECT \"hg\" FROM \"mercury_vapour\" WHERE \"hg\" > 10 AND \"device\" = 'm'"));
    }

    [Fact]
    public void Outer_query_of_a_subquery_may_use_only_the_inner_columns_and_tags()
    {
        const string inner = "SELECT max(\"hg\") AS \"max_hg\" FROM \"mercury_vapour\" GROUP BY time(1m), \"equipment\"";
        Assert.Empty(InfluxQlReferences.Problems($"SELECT \"max_hg\" FROM ({inner}) WHERE \"max_hg\" > 10 GROUP BY \"equipment\""));
        Assert.Contains(InfluxQlReferences.Problems($"SELECT \"hg\" FROM ({inner})"), p => p.Contains("'hg' is not a column of the subquery"));
        Assert.Contains(InfluxQlReferences.Problems($"SELECT \"max_hg\" FROM ({inner}) GROUP BY \"site\""), p => p.Contains("GROUP BY 'site'"));
        Assert.Contains(InfluxQlReferences.Problems($"SELECT \"max_hg\" FROM (SELECT max(\"hgg\") AS \"max_hg\" FROM \"mercury_vapour\")"), p => p.Contains("hgg"));
    }

    [Fact]
    public void Show_tag_values_checks_measurements_and_the_tag_key()
    {
        Assert.Empty(InfluxQlReferences.Problems("SHOW TAG VALUES FROM \"centrifuge\", \"shaking_table\" WITH KEY = \"equipment\" WHERE \"site\" =~ /^a$/"));
        Assert.Empty(InfluxQlReferences.Problems("SHOW TAG VALUES WITH KEY = \"site\""));
        Assert.Contains(InfluxQlReferences.Problems("SHOW TAG VALUES FROM \"process_batch\" WITH KEY = \"device\""), p => p.Contains("'device'"));
        Assert.Contains(InfluxQlReferences.Problems("SHOW TAG VALUES WITH KEY = \"location\""), p => p.Contains("'location'"));
    }

    [Fact]
    public void Constructs_outside_the_checker_are_reported_not_guessed()
    {
        Assert.Contains(InfluxQlReferences.Problems("SELECT \"hg\" FROM /mercury.*/"), p => p.Contains("not understood"));
        Assert.Contains(InfluxQlReferences.Problems("SELECT mean(/h.*/) FROM \"mercury_vapour\""), p => p.Contains("not understood"));
        Assert.Contains(InfluxQlReferences.Problems("DROP MEASUREMENT \"alarm\""), p => p.Contains("not understood"));
    }

    [Fact]
    public void Division_and_arithmetic_are_not_mistaken_for_regexes_or_fields()
    {
        var r = InfluxQlReferences.Check($"SELECT 100 * count(\"hg\") * 5 * 1000 / 60000 FROM \"mercury_vapour\" WHERE {Time} GROUP BY time(1m) fill(0)");
        Assert.Empty(r.Problems);
        Assert.Equal([("mercury_vapour", "hg")], r.Keys);
    }
}
