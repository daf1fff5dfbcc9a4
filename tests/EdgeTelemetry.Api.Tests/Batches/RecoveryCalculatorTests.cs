using EdgeTelemetry.Central.Batches;

namespace EdgeTelemetry.Api.Tests.Batches;

/// <summary>Worked examples computed by hand; the arithmetic is written out beside each expectation.</summary>
public class RecoveryCalculatorTests
{
    [Fact]
    public void Mass_balance_recovery_of_a_centrifuge_batch_matches_the_hand_calculation()
    {
        // F = 1.2 t = 1200 kg at f = 12 g/t  → gold in feed = 1.2 t × 12 g/t = 14.4 g
        // C = 9.6 kg at c = 1200 g/t         → gold in concentrate = 0.0096 t × 1200 g/t = 11.52 g
        // R = C·c / (F·f) = (9.6 × 1200) / (1200 × 12) = 11520 / 14400 = 0.80 → 80 %
        // mass pull = C / F = 9.6 / 1200 = 0.008 → 0.8 %;  upgrade ratio = c / f = 1200 / 12 = 100
        var r = RecoveryCalculator.Calculate(new RecoveryInputs(1200, 12, 9.6, 1200, null));

        Assert.Equal(RecoveryCalculator.MassBalance, r.Method);
        Assert.Equal(80.0, r.RecoveryPct!.Value, 9);
        Assert.Equal(0.8, r.MassPullPct!.Value, 9);
        Assert.Equal(100.0, r.UpgradeRatio!.Value, 9);
        Assert.Null(r.TwoProductRecoveryPct);
    }

    [Fact]
    public void Two_product_formula_gives_recovery_when_masses_are_missing()
    {
        // f = 10 g/t, c = 500 g/t, t = 2 g/t
        // R = c (f − t) / (f (c − t)) = 500 × 8 / (10 × 498) = 4000 / 4980 = 0.803212851… → 80.3212851 %
        // upgrade ratio = 500 / 10 = 50; mass pull needs masses, so none
        var r = RecoveryCalculator.Calculate(new RecoveryInputs(null, 10, null, 500, 2));

        Assert.Equal(RecoveryCalculator.TwoProduct, r.Method);
        Assert.Equal(80.3212851, r.RecoveryPct!.Value, 6);
        Assert.Equal(50.0, r.UpgradeRatio!.Value, 9);
        Assert.Null(r.MassPullPct);
    }

    [Fact]
    public void Mass_balance_is_preferred_and_two_product_kept_as_a_cross_check_when_everything_is_known()
    {
        // Same batch as above plus t = 2.42 g/t (gold left in 1190.4 kg of tailings ≈ 2.88 g / 1.1904 t = 2.419 g/t).
        // Two-product: 1200 × (12 − 2.42) / (12 × (1200 − 2.42)) = 11496 / 14370.96 = 0.7999466 → 79.99466 %
        var r = RecoveryCalculator.Calculate(new RecoveryInputs(1200, 12, 9.6, 1200, 2.42));

        Assert.Equal(RecoveryCalculator.MassBalance, r.Method);
        Assert.Equal(80.0, r.RecoveryPct!.Value, 9);
        Assert.Equal(79.99466, r.TwoProductRecoveryPct!.Value, 4);
    }

    [Fact]
    public void Recovery_is_absent_not_zero_until_enough_is_known()
    {
        var r = RecoveryCalculator.Calculate(new RecoveryInputs(1200, null, 9.6, null, null));

        Assert.Null(r.RecoveryPct);
        Assert.Null(r.Method);
        Assert.Equal(0.8, r.MassPullPct!.Value, 9); // 9.6 / 1200 × 100
    }

    [Theory]
    // value, unit → g/t: 1 % = 10,000 g/t; ppm = g/t; 1 ppb = 0.001 g/t
    [InlineData(0.12, "%", 1200)]
    [InlineData(12.5, "ppm", 12.5)]
    [InlineData(2420, "ppb", 2.42)]
    [InlineData(7, "g/t", 7)]
    public void Grades_are_normalised_to_grams_per_tonne(double value, string unit, double gpt)
    {
        var errors = new List<string>();
        var g = AssayUnits.GradeGpt(new Quantity { Value = value, Unit = unit }, "grade", (k, m) => errors.Add(k));

        Assert.Empty(errors);
        Assert.Equal(gpt, g!.Value, 9);
    }

    [Theory]
    [InlineData(1.2, "t", 1200)]
    [InlineData(9.6, "kg", 9.6)]
    [InlineData(850, "g", 0.85)]
    public void Masses_are_normalised_to_kilograms(double value, string unit, double kg)
    {
        var m = AssayUnits.MassKg(new Quantity { Value = value, Unit = unit }, "mass", (_, _) => Assert.Fail("no error expected"));

        Assert.Equal(kg, m!.Value, 9);
    }

    [Fact]
    public void A_grade_above_pure_gold_is_refused()
    {
        // 100.5 % = 1,005,000 g/t > 1,000,000 g/t
        var errors = new Dictionary<string, string>();
        var g = AssayUnits.GradeGpt(new Quantity { Value = 100.5, Unit = "%" }, "concentrateGrade", (k, m) => errors[k] = m);

        Assert.Null(g);
        Assert.Contains("1,000,000", errors["concentrateGrade.value"]);
    }
}
