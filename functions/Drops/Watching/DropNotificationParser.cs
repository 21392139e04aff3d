using System.Text.Json;
using System.Text;
using Serverless.Drops;
using Serverless.Storage;

namespace Serverless.Drops.Watching;

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
        objects.AddRange(ParseOne(root).Where(Plausible));
        return objects;
    }

    /// <summary>
    /// Whether a notified object can be one a store holds: a bucket or container name of at most 63
    /// characters, a key of at most 1,024, neither with a control character. Anything else (a 100 KB
    /// name, a NUL) is no created object; it would only fail later, in the queue or a listing.
    /// </summary>
    private static bool Plausible(DroppedObject o) =>
        o.Container.Length is > 0 and <= 63 && o.Key.Length <= 1024 && !o.Container.Any(char.IsControl) && !o.Key.Any(char.IsControl);

    private static List<DroppedObject> ParseOne(JsonElement root)
    {
        var objects = new List<DroppedObject>();
        // Every field is read through Child/Text: a field of another JSON type than expected is not an object, not a crash.
        if (Child(root, "Records") is { ValueKind: JsonValueKind.Array } records)
        {
            foreach (var record in records.EnumerateArray())
            {
                var s3 = Child(record, "s3");
                if (Text(Child(s3, "bucket"), "name") is { } name && Text(Child(s3, "object"), "key") is { } key)
                    objects.Add(new DroppedObject(StorageKind.S3, name, Unescape(key)));
            }
        }
        else if (Child(root, "objects") is { ValueKind: JsonValueKind.Array } own)
        {
            foreach (var item in own.EnumerateArray())
            {
                if (Enum.TryParse<StorageKind>(Text(item, "kind"), out var kind) && Enum.IsDefined(kind)
                    && Text(item, "container") is { } container && Text(item, "key") is { } key)
                    objects.Add(new DroppedObject(kind, container, key));
            }
        }
        else if (EventType(root) is { } type && type.EndsWith("BlobCreated", StringComparison.Ordinal)
            && FromSubject(Text(root, "subject")) is { } blob)
        {
            objects.Add(blob);
        }
        return objects;
    }

    /// <summary>The validation code of an Event Grid subscription handshake (webhook delivery), if the body is one.</summary>
    public static string? ValidationCode(JsonElement root)
    {
        var first = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().FirstOrDefault() : root;
        return EventType(first) == "Microsoft.EventGrid.SubscriptionValidationEvent" ? Text(Child(first, "data"), "validationCode") : null;
    }

    private static string? EventType(JsonElement e) => Text(e, "eventType") ?? Text(e, "type");

    /// <summary>A property of an object, or an undefined element when <paramref name="e"/> is no object or lacks it.</summary>
    private static JsonElement Child(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var child) ? child : default;

    /// <summary>A string property, or null when it is missing or of another type.</summary>
    private static string? Text(JsonElement e, string name) => Child(e, name) is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    /// <summary>S3 notifications URL-encode keys, with '+' for spaces; a malformed escape is kept as it came.</summary>
    private static string Unescape(string key)
    {
        try
        {
            return Uri.UnescapeDataString(key.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return key;
        }
    }

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
