namespace Serverless.Inference;

/// <summary>Reads a labels file: one label per line; a tab-separated line keeps its last field.</summary>
public static class LabelFile
{
    /// <summary>Reads the labels, ignoring trailing blank lines.</summary>
    public static IReadOnlyList<string> Read(string path)
    {
        var lines = File.ReadAllLines(path).ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        // "index<TAB>wnid<TAB>name" (the dataset's classes TSV) is accepted as-is.
        return lines.Select(l => l.Contains('\t') ? l[(l.LastIndexOf('\t') + 1)..].Trim() : l.Trim()).ToArray();
    }
}
