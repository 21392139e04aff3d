using System.Text.RegularExpressions;

namespace Serverless.Inference;

/// <summary>
/// Reads a labels file: one label per line. A tab-separated line keeps its last field (the dataset's
/// "index, wnid, name" TSV); a line that starts with a WordNet synset id ("n01440764 tench", the
/// synset_words.txt of Caffe and many exports) keeps the name after it.
/// </summary>
public static partial class LabelFile
{
    /// <summary>The largest labels file read: 21k ImageNet classes take about 0.5 MB.</summary>
    public const long MaxBytes = 16 << 20;

    /// <summary>Reads the labels, ignoring trailing blank lines.</summary>
    /// <exception cref="InvalidDataException">The file is larger than <see cref="MaxBytes"/>.</exception>
    public static IReadOnlyList<string> Read(string path)
    {
        if (new FileInfo(path).Length > MaxBytes)
        {
            throw new InvalidDataException($"the labels file '{Path.GetFileName(path)}' is larger than {MaxBytes >> 20} MiB.");
        }

        var lines = File.ReadAllLines(path).ToList();
        while (lines.Count > 0 && string.IsNullOrWhiteSpace(lines[^1]))
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines.Select(Label).ToArray();
    }

    private static string Label(string line)
    {
        if (line.Contains('\t'))
        {
            return line[(line.LastIndexOf('\t') + 1)..].Trim();
        }

        var synset = Synset().Match(line);
        return synset.Success ? synset.Groups[1].Value.Trim() : line.Trim();
    }

    [GeneratedRegex(@"^\s*n\d{8}\s+(\S.*)$")]
    private static partial Regex Synset();
}
