using Amazon.S3;
using Amazon.S3.Model;

namespace Serverless.Bench;

/// <summary>The 200 photographs repeated to N images: as a local folder (r00/, r01/, ...) and as objects in s3rver.</summary>
internal static class BenchImages
{
    /// <summary>(relative key, source photo) for <paramref name="count"/> images: copy r of photo p is "rNN/name".</summary>
    public static IReadOnlyList<(string Key, string Source)> Plan(int count)
    {
        var photos = Directory.GetFiles(BenchPaths.Photos).Order(StringComparer.Ordinal).ToArray();
        return Enumerable.Range(0, count).Select(i => ($"r{i / photos.Length:D2}/{Path.GetFileName(photos[i % photos.Length])}", photos[i % photos.Length])).ToArray();
    }

    /// <summary>The local copy under the scratch folder (made once, reused while complete).</summary>
    public static string EnsureLocalFolder(IReadOnlyList<(string Key, string Source)> plan)
    {
        var root = Path.Combine(BenchPaths.Work, $"images-{plan.Count}");
        foreach (var (key, source) in plan)
        {
            var target = Path.Combine(root, key);
            if (!File.Exists(target))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
        }

        return root;
    }

    /// <summary>Uploads every image under s3://bucket/prefix/ (plain PUTs: s3rver does not take chunked uploads).</summary>
    public static async Task UploadAsync(string serviceUrl, string accessKey, string secretKey, string bucket, string prefix, IReadOnlyList<(string Key, string Source)> plan)
    {
        using var s3 = new AmazonS3Client(accessKey, secretKey, new AmazonS3Config { ServiceURL = serviceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (item, ct) =>
        {
            await s3.PutObjectAsync(
                new PutObjectRequest { BucketName = bucket, Key = $"{prefix}/{item.Key}", FilePath = item.Source, UseChunkEncoding = false, ContentType = "image/jpeg" }, ct);
        });
    }
}
