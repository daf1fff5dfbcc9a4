using EdgeTelemetry.Agent.Alarms;
using EdgeTelemetry.Agent.Buffer;
using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Profiles;
using EdgeTelemetry.Model;

namespace EdgeTelemetry.Agent.Tests.Alarms;

public class AlarmEvaluatorTests
{
    private const long Second = 1_000_000_000;

    private static AlarmEvaluator Centrifuge() => new("cf-1", EquipmentProfiles.Centrifuge.DefaultAlarms);

    private static IReadOnlyList<AlarmTransition> Feed(AlarmEvaluator e, long seconds, double rpm, double kPa, double feed = 1) =>
        e.Evaluate(seconds * Second, [new Reading("bowl_speed", rpm, Units.Rpm), new Reading("fluidisation_pressure", kPa, Units.KiloPascal), new Reading("feed_rate", feed, Units.TonnesPerHour)]);

    [Fact]
    public void Fluidisation_loss_while_the_bowl_turns_raises_only_after_the_minimum_duration()
    {
        var e = Centrifuge();
        Assert.Empty(Feed(e, 0, 400, 110));
        Assert.Empty(Feed(e, 1, 400, 20));   // breach starts
        Assert.Empty(Feed(e, 10, 400, 20));  // 9 s < 10 s
        var raised = Assert.Single(Feed(e, 11, 400, 20));
        Assert.Equal(("fluidisation_lost", true, 20.0, 11 * Second), (raised.RuleId, raised.Raised, raised.Value, raised.TimestampNs));
        Assert.Contains("fluidisation_lost", e.Raised);
    }

    [Fact]
    public void A_breach_shorter_than_the_minimum_duration_never_raises()
    {
        var e = Centrifuge();
        Feed(e, 0, 400, 20);
        Feed(e, 5, 400, 20);
        Feed(e, 6, 400, 110); // recovered before 10 s
        Assert.Empty(Feed(e, 20, 400, 20)); // the clock restarts at the new breach
        Assert.Empty(e.Raised);
    }

    [Fact]
    public void Hysteresis_keeps_a_value_hovering_at_the_threshold_from_clearing_the_alarm()
    {
        var e = Centrifuge();
        Feed(e, 0, 400, 20);
        Assert.Single(Feed(e, 10, 400, 20));
        Assert.Empty(Feed(e, 11, 400, 31));  // above 30 but not by the 5 kPa hysteresis
        Assert.Empty(Feed(e, 12, 400, 34.9));
        var cleared = Assert.Single(Feed(e, 13, 400, 35));
        Assert.False(cleared.Raised);
    }

    [Fact]
    public void Low_pressure_with_the_bowl_stopped_is_a_rinse_not_an_alarm_and_stopping_clears_a_raised_one()
    {
        var e = Centrifuge();
        Assert.Empty(Feed(e, 0, 0, 20, feed: 0));
        Assert.Empty(Feed(e, 30, 0, 20, feed: 0));
        Feed(e, 40, 400, 20);
        Assert.Single(Feed(e, 50, 400, 20));
        var cleared = Assert.Single(Feed(e, 51, 0, 20, feed: 0));
        Assert.Equal(("fluidisation_lost", false), (cleared.RuleId, cleared.Raised));
    }

    [Fact]
    public void Bowl_stopped_while_feeding_raises_its_own_alarm()
    {
        var e = Centrifuge();
        Feed(e, 0, 0, 110, feed: 1);
        var t = Feed(e, 10, 0, 110, feed: 1);
        Assert.Equal(["bowl_stopped_while_feeding"], t.Select(x => x.RuleId));
    }

    [Fact]
    public void Transition_becomes_an_event_sample_with_the_rule_as_field()
    {
        var sample = AlarmEvaluator.ToEvent(new AlarmTransition("cf-1", "fluidisation_lost", true, 20, 5), Units.KiloPascal);
        Assert.Equal((SampleKind.Event, "alarm", "cf-1", 5L), (sample.Kind, sample.Measurement, sample.Equipment, sample.TimestampNs));
        Assert.Equal([new Reading("fluidisation_lost", 1, Units.None), new Reading("fluidisation_lost_value", 20, Units.KiloPascal)], sample.Readings);
    }

    [Fact]
    public void Config_overrides_a_default_rule_threshold_disables_one_and_adds_one()
    {
        var rules = AlarmRuleBuilder.Build(new EquipmentOptions
        {
            Id = "cf-1",
            Profile = "centrifuge",
            Alarms =
            [
                new AlarmOptions { Id = "fluidisation_lost", Threshold = 45 },
                new AlarmOptions { Id = "bowl_stopped_while_feeding", Enabled = false },
                new AlarmOptions { Id = "motor_overload", Channel = "motor_current", Comparison = "above", Threshold = 40, MinDurationSeconds = 5 },
            ],
        }, EquipmentProfiles.Centrifuge);

        var fluid = rules.Single(r => r.Id == "fluidisation_lost");
        Assert.Equal((45.0, 5.0, TimeSpan.FromSeconds(10), "bowl_speed"), (fluid.Threshold, fluid.Hysteresis, fluid.MinDuration, fluid.While!.Channel));
        Assert.DoesNotContain(rules, r => r.Id == "bowl_stopped_while_feeding");
        Assert.Equal((Comparison.Above, 40.0), (rules.Single(r => r.Id == "motor_overload").Comparison, rules.Single(r => r.Id == "motor_overload").Threshold));
    }

    [Fact]
    public void Monitor_drops_implausible_values_and_emits_events_for_transitions()
    {
        var options = new AgentOptions { Equipment = [new EquipmentOptions { Id = "hg-1", Profile = "mercury_vapour", Alarms = [new AlarmOptions { Id = "hg_above_action_level", MinDurationSeconds = 0 }] }] };
        var monitor = new AlarmMonitor(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<AlarmMonitor>.Instance);

        var (plausible, none) = monitor.Inspect("hg-1", 1, [new Reading("hg", -5, Units.MicrogramPerCubicMetre)]);
        Assert.Empty(plausible);
        Assert.Empty(none);
        var (_, events) = monitor.Inspect("hg-1", 2, [new Reading("hg", 12, Units.MicrogramPerCubicMetre)]);
        var ev = Assert.Single(events);
        Assert.Equal(new Reading("hg_above_action_level_value", 12, Units.MicrogramPerCubicMetre), ev.Readings[1]);
        Assert.Equal(["hg-1.hg_above_action_level"], monitor.RaisedAlarms());
    }
}
