using System.Text;
using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Pages;
using Serverless.Orchestrations.Tests.Support;
using Serverless.Storage;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// A page manifest read back as a work unit reads it: exactly its range of items (keys of several
/// bytes a character, sizes, ETags, times), the header alone, and a clear error naming the manifest
/// for a range past its end, a manifest cut short, and one with no header.
/// </summary>
public sealed class PageManifestTests() : LocalStoreTest("page-manifest")
{
    private const string Job = "manifest-job";

    private static readonly DateTimeOffset Modified = new(2026, 12, 6, 1, 2, 3, TimeSpan.Zero);

    private static List<SourceObject> Objects(int n) =>
        Enumerable.Range(0, n).Select(i => new SourceObject(i % 3 == 0 ? $"fotos/ñandú-{i:D2}.jpg" : $"img/{i:D2}-猫.png", 1000 + i, i % 2 == 0 ? $"\"etag-{i}\"" : null, Modified.AddMinutes(i))).ToList();

    [Fact]
    public async Task A_unit_gets_exactly_its_range_and_the_header_reads_alone()
    {
        var objects = Objects(10);
        await PageManifests.WriteAsync(Store, Job, 3, new SourcePage(objects.Select(o => o.Key).ToList(), "next-token", 2) { Objects = objects }, default);

        Assert.Equal(objects[3..7], await PageManifests.ReadItemsAsync(Store, Job, 3, 3, 4, default));
        Assert.Equal(objects[..1], await PageManifests.ReadItemsAsync(Store, Job, 3, 0, 1, default));
        Assert.Equal(objects[9..], await PageManifests.ReadItemsAsync(Store, Job, 3, 9, 1, default));
        Assert.Empty(await PageManifests.ReadItemsAsync(Store, Job, 3, 10, 0, default));
        Assert.Equal(new PageHeader(3, 10, "next-token", 2), await PageManifests.ReadHeaderAsync(Store, Job, 3, default));
    }

    [Fact]
    public async Task A_unit_of_a_large_page_reads_its_range_across_the_reads_of_the_stream_and_skips_empty_lines()
    {
        // 4,000 items: hundreds of kilobytes read in pieces, lines cut between them.
        var objects = Objects(4000);
        await PageManifests.WriteAsync(Store, Job, 4, new SourcePage(objects.Select(o => o.Key).ToList(), null, 0) { Objects = objects }, default);

        Assert.Equal(objects[3744..], await PageManifests.ReadItemsAsync(Store, Job, 4, 3744, 256, default));
        Assert.Equal(objects[1000..1256], await PageManifests.ReadItemsAsync(Store, Job, 4, 1000, 256, default));

        // Empty lines (a manifest rewritten by hand) do not count as items.
        var name = JobWorkArea.PageManifest(Job, 5);
        var lines = Encoding.UTF8.GetString(await Store.ReadAsync(JobWorkArea.PageManifest(Job, 4))).Split('\n');
        await Store.WriteAsync(name, Encoding.UTF8.GetBytes(string.Join("\n\n", lines.Take(21)) + "\n"));
        Assert.Equal(objects[15..20], await PageManifests.ReadItemsAsync(Store, Job, 5, 15, 5, default));
    }

    [Fact]
    public async Task A_range_past_the_end_a_manifest_cut_short_and_one_without_header_name_the_manifest()
    {
        var objects = Objects(10);
        await PageManifests.WriteAsync(Store, Job, 0, new SourcePage(objects.Select(o => o.Key).ToList(), null, 0) { Objects = objects }, default);
        var past = await Assert.ThrowsAsync<JobDataMissingException>(() => PageManifests.ReadItemsAsync(Store, Job, 0, 8, 3, default));
        Assert.Contains($"{JobWorkArea.PageManifest(Job, 0)} holds 10 images, not items 8..10", past.Message);

        // The header says 10, the file holds 6 lines of items: cut short after it was written.
        var name = JobWorkArea.PageManifest(Job, 1);
        var lines = Encoding.UTF8.GetString(await Store.ReadAsync(JobWorkArea.PageManifest(Job, 0))).Split('\n');
        await Store.WriteAsync(name, Encoding.UTF8.GetBytes(string.Join('\n', lines.Take(7))));
        Assert.Equal(objects[2..6], await PageManifests.ReadItemsAsync(Store, Job, 1, 2, 4, default));
        var cut = await Assert.ThrowsAsync<JobDataMissingException>(() => PageManifests.ReadItemsAsync(Store, Job, 1, 4, 4, default));
        Assert.Contains($"{name} holds 6 images, not items 4..7", cut.Message);

        await Store.WriteAsync(JobWorkArea.PageManifest(Job, 2), Array.Empty<byte>());
        var empty = await Assert.ThrowsAsync<JobDataMissingException>(() => PageManifests.ReadItemsAsync(Store, Job, 2, 0, 1, default));
        Assert.Contains("has no header", empty.Message);
    }

}
