namespace Serverless.ModelZoo;

/// <summary>The 1000 ImageNet class names, from the dataset's classes TSV or generic placeholders.</summary>
public static class ImageNetLabels
{
    /// <summary>Number of ImageNet-1k classes.</summary>
    public const int Count = 1000;

    /// <summary>
    /// Reads "index&lt;TAB&gt;wnid&lt;TAB&gt;name" lines into labels by index; with no path, returns
    /// "class_0" .. "class_999".
    /// </summary>
    public static IReadOnlyList<string> Load(string? classesTsvPath)
    {
        var labels = new string[Count];
        for (var i = 0; i < Count; i++)
        {
            labels[i] = $"class_{i}";
        }

        if (classesTsvPath is null)
        {
            return labels;
        }

        var seen = 0;
        foreach (var line in File.ReadLines(classesTsvPath))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split('\t');
            if (fields.Length < 3 || !int.TryParse(fields[0], out var index) || index is < 0 or >= Count)
            {
                throw new FormatException($"{classesTsvPath}: expected 'index<TAB>wnid<TAB>name', got '{line}'.");
            }

            // Labels files hold one label per line, so a name must not contain one.
            labels[index] = fields[2].Trim();
            seen++;
        }

        if (seen != Count)
        {
            throw new FormatException($"{classesTsvPath}: expected {Count} classes, found {seen}.");
        }

        return labels;
    }
}
