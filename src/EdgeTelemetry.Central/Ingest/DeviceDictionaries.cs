using System.Collections.Concurrent;
using EdgeTelemetry.Wire.V2;

namespace EdgeTelemetry.Central.Ingest;

/// <summary>
/// One device's wire-v2 dictionaries, the newest <paramref name="capacity"/> kept. An agent's dictionary only
/// grows, so its newest holds every series of the ones before; a batch naming an evicted one is deferred and its
/// receipt asks the agent for its dictionary again. Eviction, not refusal: refusing would leave an agent that
/// outgrew the limit (or reinstalled many times) deferring forever, while a device flooding dictionaries only
/// evicts its own.
/// </summary>
internal sealed class DeviceDictionaries(int capacity)
{
    private readonly ConcurrentDictionary<ulong, ChannelDictionary> _byId = new();
    private readonly Queue<ulong> _order = new();

    public int Count => _byId.Count;

    public bool Contains(ulong id) => _byId.ContainsKey(id);

    public ChannelDictionary? Get(ulong id) => _byId.GetValueOrDefault(id);

    public void Add(ulong id, ChannelDictionary dictionary)
    {
        lock (_order)
        {
            if (!_byId.TryAdd(id, dictionary)) return;
            _order.Enqueue(id);
            while (_order.Count > capacity) _byId.TryRemove(_order.Dequeue(), out _);
        }
    }
}
