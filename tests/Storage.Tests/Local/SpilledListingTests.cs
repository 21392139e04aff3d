using Serverless.Storage.Local;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Local;

public sealed class SpilledListingTests
{
    [Fact]
    public void A_spilled_listing_walks_the_folder_in_ordinal_order_from_any_name_and_leaves_no_file()
    {
        using var dir = new TempDir("spill-src");
        using var spill = new TempDir("spill-file");
        // Names of every length class, case and script, over several blocks; some are folders, one a link to a folder (left out).
        var files = Enumerable.Range(0, SpilledListing.BlockEntries * 3 + 17)
            .Select(i => (i % 5) switch { 0 => $"{i:D5}.jpg", 1 => $"IMG_{i}.JPG", 2 => $"é-{i}", 3 => $"日本-{i:D3}.png", _ => $"{i}{new string('x', i % 40)}" })
            .ToList();
        foreach (var f in files)
            File.WriteAllBytes(Path.Combine(dir.Path, f), []);
        string[] folders = ["b-folder", "zz-folder"];
        foreach (var f in folders)
            Directory.CreateDirectory(Path.Combine(dir.Path, f));
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "link-to-folder"), Path.Combine(dir.Path, "b-folder"));
        var expected = files.Select(f => new FolderListing.Entry(f, false)).Concat(folders.Select(f => new FolderListing.Entry(f, true)))
            .OrderBy(e => e.Name, StringComparer.Ordinal).ToList();

        var listing = SpilledListing.Write(FolderNames.Read(dir.Path), spill.Path);

        Assert.Empty(Directory.EnumerateFileSystemEntries(spill.Path)); // unlinked once open
        var memory = new MemoryListing(FolderNames.Read(dir.Path));
        foreach (var walk in new FolderListing[] { listing, memory })
        {
            Assert.Equal(expected, walk.From(null).ToList());
            // From each entry (block boundaries included), and from names between entries and past the last.
            foreach (var at in new[] { 0, 1, 255, 256, 257, 511, 512, expected.Count - 1 })
            {
                Assert.Equal(expected.Skip(at), walk.From(expected[at].Name));
                Assert.Equal(expected.Skip(at + 1), walk.From(expected[at].Name + "\0"));
            }
            Assert.Equal(expected, walk.From(""));
            Assert.Empty(walk.From("\uffff"));
        }
    }

    [Fact]
    public void Names_read_into_chunks_come_back_whole_across_the_chunks_edges()
    {
        using var dir = new TempDir("folder-names");
        // About 60,000 characters: chunks of 4,096, 8,192, 16,384 and 32,768, so names end at and straddle their edges.
        var files = Enumerable.Range(0, 2000).Select(i => $"{i:D4}-{new string('n', i % 47)}.jpg").ToList();
        foreach (var f in files)
            File.WriteAllBytes(Path.Combine(dir.Path, f), []);

        var names = FolderNames.Read(dir.Path);

        Assert.Equal(files.Count, names.Count);
        Assert.Equal(files.Order(StringComparer.Ordinal), names.SortedOrder().Select(i => names.Name(i).ToString()));
    }
}
