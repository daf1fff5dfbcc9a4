namespace EdgeTelemetry.Api.Tests;

/// <summary>Awaits a condition that another process (broker, service) makes true, with a deadline instead of a fixed sleep.</summary>
public static class Eventually
{
    public static async Task<T> HoldsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        T last;
        do
        {
            last = await probe();
            if (condition(last)) return last;
            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"timed out waiting for {what}; last value: {last}");
    }
}
