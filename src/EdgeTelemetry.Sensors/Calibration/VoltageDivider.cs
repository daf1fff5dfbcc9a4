namespace EdgeTelemetry.Sensors.Calibration;

/// <summary>
/// Resistor divider that scales a 0–10 V signal into the ADC's range:
/// V_in = V_adc · (R_top + R_bottom) / R_bottom. E.g. 10 kΩ over 4.7 kΩ maps 10 V to 3.197 V.
/// Ignores the ADC's input impedance (ADS1115: megaohms, falling as the PGA gain rises — datasheet
/// "Analog Inputs"), which loads R_bottom slightly; keep the divider's resistors well under 100 kΩ.
/// </summary>
/// <param name="TopOhms">Resistor from the signal to the ADC pin.</param>
/// <param name="BottomOhms">Resistor from the ADC pin to ground.</param>
public sealed record VoltageDivider(double TopOhms, double BottomOhms)
{
    /// <summary>V_in / V_adc.</summary>
    public double Ratio => (TopOhms + BottomOhms) / BottomOhms;

    /// <summary>Signal voltage before the divider, from the voltage the ADC measured.</summary>
    public double InputVolts(double adcVolts) => adcVolts * Ratio;

    /// <summary>Voltage the ADC sees for a given signal voltage.</summary>
    public double AdcVolts(double inputVolts) => inputVolts / Ratio;
}
