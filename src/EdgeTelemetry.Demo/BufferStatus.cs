using Microsoft.Data.Sqlite;

namespace EdgeTelemetry.Demo;

/// <summary>Reads the agents' buffer files from outside (WAL lets a reader in beside the writer).</summary>
public static class BufferStatus
{
    public sealed record Totals(long Sampled, long Unsent, long Sent);

    public static async Task<Totals> SumAsync(IEnumerable<string> paths)
    {
        long sampled = 0, unsent = 0;
        foreach (var path in paths)
        {
            if (!File.Exists(path)) continue;
            try
            {
                await using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
                await db.OpenAsync();
                await using var cmd = db.CreateCommand();
                cmd.CommandText = """
                    SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'samples'), 0),
                           (SELECT COUNT(*) FROM samples WHERE sent = 0)
                    """;
                await using var reader = await cmd.ExecuteReaderAsync();
                await reader.ReadAsync();
                sampled += reader.GetInt64(0);
                unsent += reader.GetInt64(1);
            }
            catch (SqliteException) { /* being created */ }
        }
        // Sent rows are pruned after an hour, so "sent" is what was sampled minus what still waits.
        return new Totals(sampled, unsent, sampled - unsent);
    }
}
