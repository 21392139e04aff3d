using System.Text;
using Serverless.BatchInference.Contracts;

namespace Serverless.Jobs.Pages;

/// <summary>
/// Lines of a manifest (or an inventory's data file) with the byte offset after each, so a page's
/// listing token can say where the next page starts; a line over <see cref="ManifestPages.MaxLineBytes"/>
/// fails naming its number. Offsets count the bytes of the stream as read (a gzip file's are its
/// decompressed bytes).
/// </summary>
internal sealed class ManifestLineReader(Stream stream, string name)
{
    private readonly byte[] buffer = new byte[1 << 16];
    private int start, end;
    private long position, lines;

    /// <summary>Lines read so far (set after a skip, so errors name the right line).</summary>
    public long Lines { get => lines; set => lines = value; }

    /// <summary>
    /// Reads and drops the bytes before <paramref name="offset"/>; false when the stream ends first (the
    /// file is shorter than when the listing token was made: replaced, truncated or corrupt).
    /// </summary>
    public async Task<bool> SkipToAsync(long offset, CancellationToken cancellationToken)
    {
        while (position + (end - start) < offset)
        {
            position += end - start;
            (start, end) = (0, 0);
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                return false;
        }
        var skip = (int)(offset - position);
        start += skip;
        position += skip;
        return true;
    }

    /// <summary>The error of a stream that ended before <paramref name="offset"/>, at line <paramref name="line"/>.</summary>
    public JobConfigurationException EndedBefore(long offset, long line) =>
        new($"the manifest {name}, line {line}, ends at byte {position}, before byte {offset} where this page starts: the file was replaced, truncated or is corrupt since its listing began");

    /// <summary>The next line (without its '\n') and the offset after it; null at the end.</summary>
    public async Task<(string Text, long End)?> NextAsync(CancellationToken cancellationToken)
    {
        var text = new MemoryStream();
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            var take = newline >= 0 ? newline - start : end - start;
            if (text.Length + take > ManifestPages.MaxLineBytes)
                throw new JobConfigurationException($"the manifest {name}, line {lines + 1}, is longer than {ManifestPages.MaxLineBytes} bytes");
            text.Write(buffer, start, take);
            position += take;
            start += take;
            if (newline >= 0)
            {
                start++;
                position++;
                lines++;
                return (Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), position);
            }
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (text.Length == 0)
                    return null;
                lines++;
                return (Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), position);
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        (start, end) = (0, await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        return end > 0;
    }
}
