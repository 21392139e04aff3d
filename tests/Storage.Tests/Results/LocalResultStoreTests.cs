using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Results;

/// <summary>The result store contract on a local folder (created on first write).</summary>
public sealed class LocalResultStoreTests : ResultStoreContract, IDisposable
{
    private readonly TempDir dir = new("local-results");

    protected override Task<IResultStore> NewStoreAsync() =>
        Task.FromResult(ResultStoreFactory.Create(dir.Combine(Guid.NewGuid().ToString("N"), "out"), new StorageConnections()));

    protected override Task<byte[]> ReadRawAsync(IResultStore store, string name) =>
        File.ReadAllBytesAsync(Path.Combine(store.Location.LocalPath, name));

    protected override IResultStore? StoreWithMissingContainer() => null;

    [Fact]
    public async Task Leaves_no_temporary_files_behind()
    {
        var store = await NewStoreAsync();
        await store.WriteAsync("a.txt", new byte[] { 1, 2 });
        await store.WriteAsync("a.txt", new byte[] { 3 });
        Assert.Equal(["a.txt"], Directory.GetFiles(store.Location.LocalPath).Select(Path.GetFileName));
        Assert.Equal(new byte[] { 3 }, await store.ReadAsync("a.txt"));
    }

    [Fact]
    public async Task Deleting_the_files_of_a_folder_removes_the_emptied_folders_but_never_the_location()
    {
        var store = await NewStoreAsync();
        await store.WriteAsync("_work/j/parts/a.jsonl", new byte[] { 1 });
        await store.WriteAsync("_work/j/pages/b.jsonl", new byte[] { 2 });
        await store.DeleteAsync(["_work/j/parts/a.jsonl", "_work/j/pages/b.jsonl"]);
        Assert.False(Directory.Exists(Path.Combine(store.Location.LocalPath, "_work")));
        Assert.True(Directory.Exists(store.Location.LocalPath));
    }

    public void Dispose() => dir.Dispose();
}
