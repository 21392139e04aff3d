using System.Text;

namespace Serverless.Orchestrations.Backends.AzureStorage;

/// <summary>
/// Row and partition keys of the History and Instances tables. Instance ids may hold characters
/// Azure Tables forbids in keys ('/', '\', '#', '?', control characters); they are escaped as
/// %XX (and '%' itself), which keeps ordinal order of prefixes, so prefix queries still work.
/// </summary>
internal static class TableKeys
{
    /// <summary>The sentinel row of an instance's history partition: its ETag fences every turn.</summary>
    public const string Sentinel = "s";

    /// <summary>Prefix of history event rows: h + zero-padded index.</summary>
    public const string HistoryPrefix = "h";

    /// <summary>Prefix of dedupe rows: m + message id, one per consumed message.</summary>
    public const string ConsumedPrefix = "m";

    /// <summary>Prefix of outbox rows: o + turn key + zero-padded index.</summary>
    public const string OutboxPrefix = "o";

    /// <summary>Row key of the Instances table (one row per partition key).</summary>
    public const string InstanceRow = "";

    public static string HistoryRow(int index) => HistoryPrefix + index.ToString("D8");

    public static bool TryParseHistoryRow(string rowKey, out int index)
    {
        index = -1;
        return rowKey.Length == 9 && rowKey[0] == 'h' && int.TryParse(rowKey.AsSpan(1), out index);
    }

    public static string ConsumedRow(string messageId) => ConsumedPrefix + Escape(messageId);

    public static string OutboxRow(string turnKey, int index) => OutboxPrefix + turnKey + "-" + index.ToString("D6");

    /// <summary>Escapes a value for use as a partition or row key.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(NeedsEscape))
            return value;
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
                builder.Append('%').Append(((int)c).ToString("X2"));
            else
                builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>The smallest string greater than every string starting with <paramref name="prefix"/>.</summary>
    public static string PrefixUpperBound(string prefix) => prefix + '\uffff';

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
}
