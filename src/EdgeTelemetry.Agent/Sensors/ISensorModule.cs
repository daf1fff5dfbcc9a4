using EdgeTelemetry.Agent.Configuration;
using EdgeTelemetry.Agent.Sampling;
using EdgeTelemetry.Agent.Sensors.Hardware;
using Microsoft.Extensions.Configuration;

namespace EdgeTelemetry.Agent.Sensors;

/// <summary>
/// One sensor driver kind, Telegraf-plugin style: everything about it lives in its folder under Sensors/ (options,
/// validation, adapter, README, sample config) and it is registered with one line in <see cref="SensorModules"/>.
/// </summary>
public interface ISensorModule
{
    /// <summary>The <c>driver:</c> value in the config, e.g. "ads1115".</summary>
    string Kind { get; }

    /// <summary>The options type a <c>sensors[]</c> entry of this kind binds to (common keys included).</summary>
    Type OptionsType { get; }

    /// <summary>Where readings go when the config names no measurement (null: the equipment profile's).</summary>
    string? Measurement { get; }

    /// <summary>False when the sensor may name equipment that is not listed under <c>equipment</c> (simulated).</summary>
    bool NeedsListedEquipment { get; }

    SensorOptions Bind(IConfigurationSection section);

    /// <summary>Reports every problem of one entry through <paramref name="check"/> (field paths relative to the entry).</summary>
    void Validate(SensorOptions o, SensorCheck check);

    /// <summary>The adapter, on whichever hardware the agent was wired with.</summary>
    ISensor Create(SensorOptions o, SensorContext ctx, ISensorHardware hardware);
}

/// <summary>The typed base every driver module derives from.</summary>
public abstract class SensorModule<TOptions> : ISensorModule where TOptions : SensorOptions, new()
{
    public abstract string Kind { get; }
    public Type OptionsType => typeof(TOptions);
    public virtual string? Measurement => null;
    public virtual bool NeedsListedEquipment => true;

    public SensorOptions Bind(IConfigurationSection section)
    {
        var o = new TOptions();
        BindTo(section, o);
        return o;
    }

    /// <summary>
    /// <c>section.Bind(o)</c>, written in each module: there the call names the concrete options type, so the
    /// configuration binder's source generator serves it without reflection (ahead-of-time build).
    /// </summary>
    protected abstract void BindTo(IConfigurationSection section, TOptions o);

    public void Validate(SensorOptions o, SensorCheck check) => Validate(Typed(o), check);

    public ISensor Create(SensorOptions o, SensorContext ctx, ISensorHardware hardware) => Create(Typed(o), ctx, hardware);

    protected abstract void Validate(TOptions o, SensorCheck check);

    protected abstract ISensor Create(TOptions o, SensorContext ctx, ISensorHardware hardware);

    private TOptions Typed(SensorOptions o) => o as TOptions
        ?? throw new ArgumentException($"driver {Kind} needs {typeof(TOptions).Name}, got {o.GetType().Name} (bind sensors through AgentConfigLoader)");
}
