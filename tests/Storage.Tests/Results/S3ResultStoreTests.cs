using Amazon.S3;
using Serverless.Storage.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Storage.Tests.Results;

/// <summary>The result store contract on s3rver; raw reads prove uploads are not stored with aws-chunked framing.</summary>
public sealed class S3ResultStoreTests(S3rverFixture s3rver) : ResultStoreContract, IClassFixture<S3rverFixture>
{
    private readonly AmazonS3Client raw = Emulators.RawS3(s3rver);

    protected override async Task<IResultStore> NewStoreAsync() =>
        ResultStoreFactory.Create($"s3://{await Emulators.NewBucketAsync(raw)}/jobs/j1/out", Emulators.Connections(s3rver));

    protected override Task<byte[]> ReadRawAsync(IResultStore store, string name) =>
        Emulators.GetAsync(raw, store.Location.Container, store.Location.Prefix + name);

    protected override IResultStore StoreWithMissingContainer() =>
        ResultStoreFactory.Create("s3://missing-bucket-for-results/out", Emulators.Connections(s3rver));
}
