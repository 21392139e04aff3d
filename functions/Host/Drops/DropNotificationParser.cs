using System.Text.Json;
using System.Text;
using Serverless.Drops;
using Serverless.Storage;

namespace Serverless.Host.Drops;

/// <summary>
/// Reads the object-created notifications stores push: S3/MinIO bucket notifications
/// (<c>Records[].s3.bucket.name</c> and URL-encoded <c>object.key</c>), Event Grid BlobCreated
/// events in the Event Grid or CloudEvents schema (one event or an array; <c>subject</c> is
/// <c>/blobServices/default/containers/{c}/blobs/{path}</c>), and this host's own queue messages
/// (<c>{"objects":[{"kind":"S3","container":..,"key":..}]}</c>). Queue messages may be Base64.
/// </summary>
public static class DropNotificationParser
{
    private const string BlobsMarker = "/blobs/";
    private const string ContainersMarker = "/containers/";

    /// <summary>Parses a notification body; an unreadable body yields no objects.</summary>
    public static IReadOnlyList<DroppedObject> Parse(string body)
    {
        if (TryParseJson(body, out var root) || (TryBase64(body, out var decoded) && TryParseJson(decoded, out root)))
            return Parse(root);
        return [];
    }

    public static IReadOnlyList<DroppedObject> Parse(JsonElement root)
    {
        var objects = new List<DroppedObject>();
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
                objects.AddRange(Parse(item));
            return objects;
        }
        if (root.ValueKind != JsonValueKind.Object)
            return objects;
        if (root.TryGetProperty("Records", out var records) && records.ValueKind == JsonValueKind.Array)
        {
            foreach (var record in records.EnumerateArray())
            {
                if (record.TryGetProperty("s3", out var s3)
                    && s3.TryGetProperty("bucket", out var bucket) && bucket.TryGetProperty("name", out var name)
                    && s3.TryGetProperty("object", out var obj) && obj.TryGetProperty("key", out var key))
                    objects.Add(new DroppedObject(StorageKind.S3, name.GetString() ?? "", Uri.UnescapeDataString((key.GetString() ?? "").Replace('+', ' '))));
            }
        }
        else if (root.TryGetProperty("objects", out var own) && own.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in own.EnumerateArray())
            {
                if (Enum.TryParse<StorageKind>(item.GetProperty("kind").GetString(), out var kind))
                    objects.Add(new DroppedObject(kind, item.GetProperty("container").GetString() ?? "", item.GetProperty("key").GetString() ?? ""));
            }
        }
        else if (EventType(root) is { } type && type.EndsWith("BlobCreated", StringComparison.Ordinal)
            && root.TryGetProperty("subject", out var subject) && FromSubject(subject.GetString()) is { } blob)
        {
            objects.Add(blob);
        }
        return objects;
    }

    /// <summary>The validation code of an Event Grid subscription handshake (webhook delivery), if the body is one.</summary>
    public static string? ValidationCode(JsonElement root)
    {
        var first = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().FirstOrDefault() : root;
        return first.ValueKind == JsonValueKind.Object
            && EventType(first) == "Microsoft.EventGrid.SubscriptionValidationEvent"
            && first.TryGetProperty("data", out var data) && data.TryGetProperty("validationCode", out var code)
            ? code.GetString()
            : null;
    }

    private static string? EventType(JsonElement e) =>
        e.TryGetProperty("eventType", out var t) ? t.GetString() : e.TryGetProperty("type", out var c) ? c.GetString() : null;

    private static DroppedObject? FromSubject(string? subject)
    {
        if (subject is null)
            return null;
        var containers = subject.IndexOf(ContainersMarker, StringComparison.Ordinal);
        var blobs = subject.IndexOf(BlobsMarker, StringComparison.Ordinal);
        if (containers < 0 || blobs < containers)
            return null;
        var container = subject[(containers + ContainersMarker.Length)..blobs];
        return new DroppedObject(StorageKind.AzureBlob, container, subject[(blobs + BlobsMarker.Length)..]);
    }

    private static bool TryParseJson(string text, out JsonElement root)
    {
        try
        {
            root = JsonSerializer.Deserialize<JsonElement>(text);
            return true;
        }
        catch (JsonException)
        {
            root = default;
            return false;
        }
    }

    private static bool TryBase64(string text, out string decoded)
    {
        var buffer = new byte[text.Length];
        if (Convert.TryFromBase64String(text.Trim(), buffer, out var written))
        {
            decoded = Encoding.UTF8.GetString(buffer, 0, written);
            return true;
        }
        decoded = "";
        return false;
    }
}
