using Azure.Storage.Blobs;
using Serverless.Storage.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Results;

/// <summary>The result store contract on Azurite.</summary>
public sealed class BlobResultStoreTests(AzuriteFixture azurite) : ResultStoreContract, IClassFixture<AzuriteFixture>
{
    protected override async Task<IResultStore> NewStoreAsync() =>
        ResultStoreFactory.Create($"azblob://{(await Emulators.NewContainerAsync(azurite)).Name}/out", Emulators.Connections(azurite));

    protected override async Task<byte[]> ReadRawAsync(IResultStore store, string name) =>
        (await new BlobServiceClient(azurite.ConnectionString)
            .GetBlobContainerClient(store.Location.Container)
            .GetBlobClient(store.Location.Prefix + name)
            .DownloadContentAsync()).Value.Content.ToArray();

    protected override IResultStore StoreWithMissingContainer() =>
        ResultStoreFactory.Create("azblob://missing-container/out", Emulators.Connections(azurite));
}
